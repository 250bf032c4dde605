using System.Collections.Frozen;

namespace Atelier.Studio.Api;

/// <summary>The studio's own stylesheet and script, built into the assembly (no front-end build step, no files to deploy).</summary>
public static class AssetEndpoints
{
    private static readonly FrozenDictionary<string, (byte[] Bytes, string Type)> Assets = Load();

    public static void Map(IEndpointRouteBuilder app) =>
        app.MapGet("/assets/{name}", (string name, HttpResponse response) =>
        {
            if (!Assets.TryGetValue(name, out var asset)) return Results.NotFound();
            response.Headers.CacheControl = "public, max-age=3600";
            return Results.Bytes(asset.Bytes, asset.Type);
        }).AllowAnonymous();

    private static FrozenDictionary<string, (byte[], string)> Load()
    {
        var assembly = typeof(AssetEndpoints).Assembly;
        var assets = new Dictionary<string, (byte[], string)>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("assets/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            var name = resource["assets/".Length..];
            var type = Path.GetExtension(name) switch
            {
                ".css" => "text/css; charset=utf-8",
                ".js" => "text/javascript; charset=utf-8",
                _ => "application/octet-stream",
            };
            assets[name] = (copy.ToArray(), type);
        }
        return assets.ToFrozenDictionary();
    }
}
