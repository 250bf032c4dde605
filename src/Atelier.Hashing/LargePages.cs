using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Atelier.Hashing;

/// <summary>
/// Arrays for tables read at random places. On Linux, such arrays are asked to be backed by 2 MB
/// pages: a random read into tens of MB otherwise misses the TLB as well as the cache.
/// </summary>
internal static partial class LargePages
{
    private const int Size = 2 << 20;
    private const int MadviseHugePage = 14;
    private const int MadviseCollapse = 25;

    public static unsafe T[] NewArray<T>(int length) where T : unmanaged
    {
        if (!OperatingSystem.IsLinux() || (long)length * sizeof(T) < Size) return new T[length];
        // Pinned, so the advice stays with the array (the GC never moves it); uninitialised so the
        // pages are first touched after the advice, when the kernel can still give huge ones.
        var array = GC.AllocateUninitializedArray<T>(length, pinned: true);
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(array));
        nint end = start + (nint)((long)length * sizeof(T));
        nint alignedStart = (start + Size - 1) & ~(nint)(Size - 1);
        nint alignedEnd = end & ~(nint)(Size - 1);
        if (alignedEnd > alignedStart) _ = Madvise(alignedStart, (nuint)(alignedEnd - alignedStart), MadviseHugePage);
        Array.Clear(array);
        // Memory the runtime had touched before keeps small pages: collapse it now (Linux 6.1+; else ignored).
        if (alignedEnd > alignedStart) _ = Madvise(alignedStart, (nuint)(alignedEnd - alignedStart), MadviseCollapse);
        return array;
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int Madvise(nint address, nuint length, int advice);
}
