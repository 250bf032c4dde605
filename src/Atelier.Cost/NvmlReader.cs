using System.Runtime.InteropServices;

namespace Atelier.Cost;

/// <summary>
/// GPU energy from NVIDIA's management library, bound at run time (P/Invoke through function pointers) so
/// that a machine without the driver simply has no reader: <see cref="TryOpen"/> says why, nothing is printed.
/// <c>nvmlDeviceGetTotalEnergyConsumption</c> counts millijoules since the driver loaded (Volta and newer).
/// </summary>
public sealed unsafe class NvmlReader : IDisposable
{
    public const string DefaultLibrary = "libnvidia-ml.so.1";
    private const int Success = 0;

    private readonly IntPtr _library;
    private readonly IntPtr[] _devices;
    private readonly delegate* unmanaged[Cdecl]<IntPtr, ulong*, int> _totalEnergy;
    private readonly delegate* unmanaged[Cdecl]<int> _shutdown;
    private bool _disposed;

    private NvmlReader(IntPtr library, IntPtr[] devices, delegate* unmanaged[Cdecl]<IntPtr, ulong*, int> totalEnergy, delegate* unmanaged[Cdecl]<int> shutdown)
    {
        _library = library;
        _devices = devices;
        _totalEnergy = totalEnergy;
        _shutdown = shutdown;
    }

    public int DeviceCount => _devices.Length;

    /// <summary>Loads the library and finds the GPUs; null with the reason where there is no usable NVML.</summary>
    public static NvmlReader? TryOpen(out string? reason, string library = DefaultLibrary)
    {
        reason = null;
        if (!NativeLibrary.TryLoad(library, out var handle))
        {
            reason = $"no NVIDIA driver ({library} not found)";
            return null;
        }
        if (!NativeLibrary.TryGetExport(handle, "nvmlInit_v2", out var init)
            || !NativeLibrary.TryGetExport(handle, "nvmlShutdown", out var shutdown)
            || !NativeLibrary.TryGetExport(handle, "nvmlDeviceGetCount_v2", out var count)
            || !NativeLibrary.TryGetExport(handle, "nvmlDeviceGetHandleByIndex_v2", out var byIndex)
            || !NativeLibrary.TryGetExport(handle, "nvmlDeviceGetTotalEnergyConsumption", out var energy))
        {
            NativeLibrary.Free(handle);
            reason = $"{library} lacks the NVML functions needed (nvmlInit_v2, nvmlDeviceGetCount_v2, nvmlDeviceGetHandleByIndex_v2, nvmlDeviceGetTotalEnergyConsumption)";
            return null;
        }
        var shutdownFn = (delegate* unmanaged[Cdecl]<int>)shutdown;
        var rc = ((delegate* unmanaged[Cdecl]<int>)init)();
        if (rc != Success)
        {
            NativeLibrary.Free(handle);
            reason = $"nvmlInit_v2 failed (NVML error {rc})";
            return null;
        }
        uint n;
        rc = ((delegate* unmanaged[Cdecl]<uint*, int>)count)(&n);
        var devices = new List<IntPtr>();
        for (uint i = 0; rc == Success && i < n; i++)
        {
            IntPtr device;
            rc = ((delegate* unmanaged[Cdecl]<uint, IntPtr*, int>)byIndex)(i, &device);
            if (rc == Success) devices.Add(device);
        }
        if (rc != Success || devices.Count == 0)
        {
            shutdownFn();
            NativeLibrary.Free(handle);
            reason = rc != Success ? $"NVML could not list the GPUs (NVML error {rc})" : "NVML sees no GPU";
            return null;
        }
        return new NvmlReader(handle, devices.ToArray(), (delegate* unmanaged[Cdecl]<IntPtr, ulong*, int>)energy, shutdownFn);
    }

    /// <summary>Each GPU's energy counter in millijoules, or null with the reason (3: the GPU predates the counter).</summary>
    public ulong[]? TryReadMillijoules(out string? reason)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        reason = null;
        var values = new ulong[_devices.Length];
        for (var i = 0; i < _devices.Length; i++)
        {
            ulong mj;
            var rc = _totalEnergy(_devices[i], &mj);
            if (rc != Success)
            {
                reason = rc == 3 ? $"GPU {i} does not report its energy (needs Volta or newer)" : $"GPU {i}: nvmlDeviceGetTotalEnergyConsumption failed (NVML error {rc})";
                return null;
            }
            values[i] = mj;
        }
        return values;
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _shutdown();
        NativeLibrary.Free(_library);
    }
}
