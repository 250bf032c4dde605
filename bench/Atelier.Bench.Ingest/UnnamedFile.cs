using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Atelier.Bench.Ingest;

/// <summary>
/// Creates a file with no name (Linux <c>O_TMPFILE</c>) in its final folder, writes it whole, then
/// gives it its final name with <c>linkat</c>. A crash before the link leaves nothing behind (the
/// kernel frees an unnamed file), and there is no temporary name to create, rename and remove.
/// </summary>
internal static partial class UnnamedFile
{
    private const int OWriteOnly = 0x1;
    private const int OCloseOnExec = 0x80000;
    private const int AtFdCwd = -100;
    private const int AtSymlinkFollow = 0x400;
    private const int Eexist = 17;

    /// <summary><c>O_TMPFILE</c> includes <c>O_DIRECTORY</c>, whose value differs between architectures; 0 where unknown.</summary>
    private static readonly int OTmpFile = !OperatingSystem.IsLinux() ? 0 : RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 => 0x410000,
        Architecture.Arm64 or Architecture.Arm => 0x404000,
        _ => 0,
    };

    public enum Outcome
    {
        /// <summary>The file now exists under its name, whole.</summary>
        Created,

        /// <summary>Something already had the name; the caller decides whether it will do.</summary>
        NameTaken,

        /// <summary>This system or file system cannot create unnamed files; use a temporary name instead.</summary>
        Unsupported,
    }

    public static Outcome TryCreate(string folder, string path, ReadOnlySpan<byte> bytes, bool flushToDisk)
    {
        if (OTmpFile == 0) return Outcome.Unsupported;
        int fd = Open(folder, OWriteOnly | OCloseOnExec | OTmpFile, Convert.ToInt32("666", 8));
        if (fd < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            // EOPNOTSUPP, EISDIR (kernels before 3.11) or EINVAL: no O_TMPFILE here; anything else is a real failure.
            if (errno is 95 or 21 or 22) return Outcome.Unsupported;
            throw Error(errno, $"could not create a file in {folder}");
        }

        using var handle = new SafeFileHandle(fd, ownsHandle: true);
        RandomAccess.Write(handle, bytes, 0);
        if (flushToDisk) RandomAccess.FlushToDisk(handle);
        // linkat through /proc/self/fd needs no privilege (AT_EMPTY_PATH would need CAP_DAC_READ_SEARCH).
        if (Link(AtFdCwd, $"/proc/self/fd/{fd}", AtFdCwd, path, AtSymlinkFollow) == 0) return Outcome.Created;
        int linkErrno = Marshal.GetLastPInvokeError();
        if (linkErrno == Eexist) return Outcome.NameTaken;
        // ENOENT on the /proc path: /proc is not mounted (a bare container); the unnamed file is simply dropped.
        if (linkErrno == 2 && !Directory.Exists("/proc/self/fd")) return Outcome.Unsupported;
        throw Error(linkErrno, $"could not name {path}");
    }

    /// <summary>An IOException carrying the errno, as .NET's own file calls throw (so a full disk is recognised).</summary>
    private static IOException Error(int errno, string what) => new($"{what}: {Marshal.GetPInvokeErrorMessage(errno)}", errno);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "linkat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(int oldDirectory, string oldPath, int newDirectory, string newPath, int flags);
}
