namespace Atelier.Cost.Tests;

public sealed class NvmlReaderTests
{
    [Fact]
    public void An_absent_library_is_a_reason()
    {
        Assert.Null(NvmlReader.TryOpen(out var reason, "libnvidia-ml-absent-for-test.so.1"));
        Assert.Equal("no NVIDIA driver (libnvidia-ml-absent-for-test.so.1 not found)", reason);
    }

    [Fact]
    public void A_library_that_is_not_nvml_is_a_reason()
    {
        Assert.Null(NvmlReader.TryOpen(out var reason, "libc.so.6"));
        Assert.Contains("libc.so.6 lacks the NVML functions", reason);
    }

    [Fact]
    public void The_machine_either_has_readable_gpus_or_says_why_not()
    {
        using var nvml = NvmlReader.TryOpen(out var reason);
        if (nvml is null)
        {
            // Without a GPU (these VMs): the library is absent. With a driver but no usable GPU: NVML's own reason.
            Assert.False(string.IsNullOrWhiteSpace(reason));
            if (!File.Exists("/dev/nvidiactl")) Assert.Equal("no NVIDIA driver (libnvidia-ml.so.1 not found)", reason);
            return;
        }
        Assert.True(nvml.DeviceCount > 0);
        var first = nvml.TryReadMillijoules(out var why);
        Assert.True(first is not null, why);
        Assert.Equal(nvml.DeviceCount, first!.Length);
    }
}
