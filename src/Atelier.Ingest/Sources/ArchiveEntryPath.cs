namespace Atelier.Ingest.Sources;

/// <summary>Checks an archive entry name before anything is read: no absolute paths, no <c>..</c> segments.</summary>
internal static class ArchiveEntryPath
{
    /// <summary>Returns the normalised '/'-separated path, or throws <see cref="IngestFileException"/>.</summary>
    public static string Validate(string name)
    {
        var path = name.Replace('\\', '/');
        if (path.StartsWith('/') || (path.Length >= 2 && path[1] == ':' && char.IsAsciiLetter(path[0])))
            throw new IngestFileException(RejectionCodes.AbsolutePath, $"entry '{name}' has an absolute path");
        if (path.Contains('\0'))
            throw new IngestFileException(RejectionCodes.PathTraversal, "entry name contains a NUL character");
        var segments = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var kept = new List<string>(segments.Length);
        foreach (var segment in segments)
        {
            if (segment == "..")
                throw new IngestFileException(RejectionCodes.PathTraversal, $"entry '{name}' escapes the archive with '..'");
            if (segment != ".") kept.Add(segment);
        }
        return string.Join('/', kept);
    }
}
