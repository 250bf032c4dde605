using System.Runtime.InteropServices;

namespace Atelier.Training.Tests;

/// <summary>
/// While open, every new CPU block libtorch allocates starts as NaN (c10's junk fill, the 0x7fedbeef
/// pattern), so a kernel that reads memory it never wrote gives NaN instead of a number that depends on
/// what an earlier tensor left there. The flag is process-wide: only tests in
/// <see cref="JunkFilledMemoryCollection"/>, which run alone, may open it.
/// </summary>
sealed class JunkFilledMemory : IDisposable
{
    const string Flag = "FLAGS_caffe2_cpu_allocator_do_junk_fill";

    public JunkFilledMemory() => Set(true);

    public void Dispose() => Set(false);

    static unsafe void Set(bool on) => *(byte*)Address() = on ? (byte)1 : (byte)0;

    static IntPtr Address()
    {
        TorchRuntime.EnsureLoadable();
        // Loading TorchSharp's bridge first makes the libc10 opened below the copy libtorch itself uses.
        _ = TorchSharp.torch.get_num_threads();
        string path = Path.Combine(Path.GetDirectoryName(TorchRuntime.FindOutputLibrary())!, "libc10.so");
        if (!NativeLibrary.TryLoad(path, out var library) || !NativeLibrary.TryGetExport(library, Flag, out var address))
            throw new InvalidOperationException($"{path} exports no {Flag}");
        return address;
    }
}

[CollectionDefinition(nameof(JunkFilledMemoryCollection), DisableParallelization = true)]
public sealed class JunkFilledMemoryCollection;
