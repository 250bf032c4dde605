using System.Runtime.InteropServices;
using TorchSharp;

namespace Atelier.Training;

/// <summary>
/// libtorch settings every Atelier process makes the same way. NNPACK is turned off: on a CPU its cpuinfo does not
/// know (this project's Zen 5 machines), every convolution that asks for it logs "Could not initialize NNPACK! Reason:
/// Unsupported hardware." to the user's terminal (128 lines at the start of a modern-model run), and where it is
/// supported it would run some convolutions with another implementation than on other machines. oneDNN runs them
/// either way. libtorch has the switch (Python's torch.backends.nnpack); TorchSharp does not expose it, so it is called
/// through the library's exported C++ symbols (at::globalContext(), at::Context::setUserEnabledNNPACK(bool)).
/// </summary>
public static class TorchBackends
{
    private const string Library = "libtorch_cpu.so";
    private const string GlobalContext = "_ZN2at13globalContextEv";
    private const string SetNnpack = "_ZN2at7Context20setUserEnabledNNPACKEb";
    private const string GetNnpack = "_ZNK2at7Context17userEnabledNNPACKEv";

    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate IntPtr ContextFn();
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] private delegate void SetFlagFn(IntPtr context, [MarshalAs(UnmanagedType.U1)] bool enabled);
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)] [return: MarshalAs(UnmanagedType.U1)] private delegate bool GetFlagFn(IntPtr context);

    /// <summary>Loads libtorch (if TorchSharp has not yet) and turns NNPACK off. Throws where the symbols are missing: another libtorch than the pinned one.</summary>
    internal static void Configure()
    {
        var (context, library) = Context();
        Export<SetFlagFn>(library, SetNnpack)(context, false);
    }

    /// <summary>Whether libtorch would try NNPACK for a convolution (false once <see cref="TorchRuntime.EnsureLoadable()"/> ran).</summary>
    public static bool NnpackEnabled
    {
        get
        {
            var (context, library) = Context();
            return Export<GetFlagFn>(library, GetNnpack)(context);
        }
    }

    private static (IntPtr Context, IntPtr Library) Context()
    {
        torch.InitializeDeviceType(DeviceType.CPU);
        // Already loaded by TorchSharp: the loader hands back that copy by its name.
        if (!NativeLibrary.TryLoad(Library, out var library))
            throw new TorchRuntimeException("library-missing", $"{Library} is not loaded after TorchSharp's initialisation");
        return (Export<ContextFn>(library, GlobalContext)(), library);
    }

    private static T Export<T>(IntPtr library, string symbol) where T : Delegate =>
        NativeLibrary.TryGetExport(library, symbol, out var address)
            ? Marshal.GetDelegateForFunctionPointer<T>(address)
            : throw new TorchRuntimeException("library-mismatch", $"{Library} has no {symbol}: not the libtorch this build pins");
}
