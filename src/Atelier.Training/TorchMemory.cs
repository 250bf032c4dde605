using System.Runtime.InteropServices;

namespace Atelier.Training;

/// <summary>
/// Makes every CPU allocation libtorch hands out start zeroed. Some oneDNN kernels in libtorch 2.10
/// (oneDNN 3.7.1) read memory they never wrote: the padded channels of reordered weights (a
/// ConvTranspose2d from 100 latent channels pads them to 112). Those lanes are multiplied by zeros,
/// so leftover finite bytes change nothing, but leftover NaN or Inf bytes (freed memory of any
/// earlier tensor) turn 0 * x into NaN: training then stopped on NaN at random, more often when other
/// threads or processes changed which freed block was reused. c10's own allocator flag
/// <c>caffe2_cpu_allocator_do_zero_fill</c> clears each new block, so those lanes always hold zeros.
/// </summary>
public static class TorchMemory
{
    const string ZeroFillFlag = "FLAGS_caffe2_cpu_allocator_do_zero_fill";
    static readonly Lock Gate = new();
    static bool zeroed;

    /// <summary>Turns the zero fill on (once per process; safe to call repeatedly and from any thread).</summary>
    /// <exception cref="TorchRuntimeException">"allocator-flag" when libc10 or its flag cannot be found.</exception>
    public static void ZeroFillAllocations()
    {
        lock (Gate)
        {
            if (zeroed) return;
            SetFlag(ZeroFillFlag, true);
            zeroed = true;
        }
    }

    /// <summary>Whether new CPU allocations are zeroed now.</summary>
    public static bool ZeroFillIsOn => ReadFlag(ZeroFillFlag);

    static unsafe void SetFlag(string name, bool on) => *(byte*)Flag(name) = on ? (byte)1 : (byte)0;

    static unsafe bool ReadFlag(string name) => *(byte*)Flag(name) != 0;

    static IntPtr Flag(string name)
    {
        // Loading TorchSharp's native bridge first makes libc10 the copy libtorch itself uses; opening
        // it again by path returns that same loaded object.
        _ = TorchSharp.torch.get_num_threads();
        string path = Path.Combine(Path.GetDirectoryName(TorchRuntime.FindOutputLibrary())!, "libc10.so");
        if (!NativeLibrary.TryLoad(File.Exists(path) ? path : "libc10.so", out var library) ||
            !NativeLibrary.TryGetExport(library, name, out var address))
            throw new TorchRuntimeException("allocator-flag", $"libtorch's c10 library has no {name}; this libtorch build is not the one Atelier was made for");
        return address;
    }
}
