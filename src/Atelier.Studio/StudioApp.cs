using System.Net;
using System.Threading.RateLimiting;
using Atelier.Catalog;
using Atelier.Studio.Accounts;
using Atelier.Studio.Api;
using Atelier.Studio.Jobs;
using Atelier.Studio.Security;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.RateLimiting;

namespace Atelier.Studio;

/// <summary>
/// The studio's web application: Razor Pages for reading, small JSON/form endpoints for writing, each authorised by role
/// (deny by default), behind cookie sign-in, anti-forgery tokens, a sign-in rate limit and security headers. Every request
/// works through the stages' own APIs on its own catalog connection (<see cref="StudioSession"/>).
/// </summary>
public static class StudioApp
{
    private const string DataProtectionHostedService = "Microsoft.AspNetCore.DataProtection.Internal.DataProtectionHostedService";

    public const string SignInLimit = "sign-in";

    /// <summary>Sign-in attempts allowed per address and user name in a minute.</summary>
    public const int SignInAttemptsPerMinute = 5;

    /// <param name="log">Where warnings and errors go, one line each (the CLI passes its stderr); null: nowhere.</param>
    public static WebApplication Build(StudioOptions options, Func<string, string?> environment, TextWriter? log = null)
    {
        var address = options.Check();
        // Fails here, with the stage's own one-line reason, rather than on the first request.
        StudioKeys keys;
        using (var workspace = Workspace.Open(options.WorkspacePath))
        {
            keys = workspace.Config.Studio.Keys;
            keys.Check();
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            // Razor Pages are found in the assembly named here, not in the program that hosts the studio.
            ApplicationName = typeof(StudioApp).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
            Args = [],
        });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // A failure to start is answered by the caller in one line; the host's own report of it would repeat it.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting", LogLevel.None);
        if (log is not null) builder.Logging.AddProvider(new StudioLog(log));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Listen(address, options.Port);
            k.Limits.MaxRequestBodySize = 1 << 20;
        });

        var services = builder.Services;
        services.AddSingleton(new StudioWorkspace(Path.GetFullPath(options.WorkspacePath), environment, keys));
        services.AddSingleton(new WorkerLauncher(options.Worker, Path.GetFullPath(options.WorkspacePath)));
        services.AddSingleton<SimilarImagesCache>();
        services.AddHttpContextAccessor();
        services.AddScoped<StudioSession>();
        // Keys for cookies and anti-forgery tokens live in this process only: a restart signs everyone out, and no key
        // that could forge a session is ever written to disk.
        services.AddDataProtection().UseEphemeralDataProtectionProvider();
        services.AddAuthentication(StudioSignIn.Scheme).AddCookie(StudioSignIn.Configure);
        services.AddAuthorization(StudioPolicies.Add);
        services.AddAntiforgery(o =>
        {
            o.HeaderName = AntiforgeryCheck.HeaderName;
            o.Cookie.Name = "atelier-studio-csrf";
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            // Attempts (posts) are limited; showing the sign-in page is not.
            o.AddPolicy(SignInLimit, context => HttpMethods.IsPost(context.Request.Method)
                ? RateLimitPartition.GetFixedWindowLimiter(SignInPartition(context),
                    _ => new FixedWindowRateLimiterOptions { PermitLimit = SignInAttemptsPerMinute, Window = options.SignInWindow, QueueLimit = 0 })
                : RateLimitPartition.GetNoLimiter(""));
            o.OnRejected = async (context, cancellation) =>
            {
                context.HttpContext.Response.ContentType = "text/plain; charset=utf-8";
                await context.HttpContext.Response.WriteAsync("Too many sign-in attempts: wait a minute and try again.\n", cancellation);
            };
        });
        services.AddRazorPages(o => o.RootDirectory = "/Pages");
        // The ephemeral provider never asks for the key ring, but the hosted service that AddDataProtection registers (through
        // cookies, anti-forgery and Razor Pages) would make one at start: an unencrypted key written under ~/.aspnet and a
        // warning on a fresh machine. Without it no key is made at all.
        foreach (var hosted in services.Where(d => d.ServiceType == typeof(IHostedService) && d.ImplementationType?.FullName == DataProtectionHostedService).ToList())
            services.Remove(hosted);

        var app = builder.Build();
        app.UseExceptionHandler(error => error.Run(async context =>
        {
            context.Response.StatusCode = StatusCodes.Status500InternalServerError;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync("Something went wrong on the server; nothing was changed by this request.\n");
        }));
        app.UseStatusCodePages();
        app.UseSecurityHeaders();
        // The rate limiter's partition reads the posted user name: read the small sign-in form first.
        app.Use(async (context, next) =>
        {
            if (HttpMethods.IsPost(context.Request.Method) && context.Request.Path.Equals("/signin", StringComparison.OrdinalIgnoreCase)
                && context.Request.HasFormContentType)
                await context.Request.ReadFormAsync();
            await next();
        });
        app.UseRouting();
        app.UseRateLimiter();
        app.UseAuthentication();
        app.UseAuthorization();
        app.MapRazorPages();
        AssetEndpoints.Map(app);
        ImageEndpoints.Map(app);
        ReviewEndpoints.Map(app);
        ViewEndpoints.Map(app);
        RunEndpoints.Map(app);
        JobEndpoints.Map(app);
        return app;
    }

    private static string SignInPartition(HttpContext context)
    {
        var name = context.Request.HasFormContentType && context.Request.Form.TryGetValue("name", out var value) ? value.ToString() : "";
        return $"{context.Connection.RemoteIpAddress}\n{name.Trim().ToLowerInvariant()}";
    }

    /// <summary>The address the started server listens on (with the port it was given when asked for port 0).</summary>
    public static Uri Address(WebApplication app)
    {
        var first = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("the studio is not listening yet");
        var uri = new Uri(first);
        // Kestrel names a wildcard bind "0.0.0.0" or "[::]": say the loopback address a browser here can open.
        return IPAddress.TryParse(uri.Host.Trim('[', ']'), out var ip) && (ip.Equals(IPAddress.Any) || ip.Equals(IPAddress.IPv6Any))
            ? new UriBuilder(uri) { Host = "127.0.0.1" }.Uri
            : uri;
    }
}
