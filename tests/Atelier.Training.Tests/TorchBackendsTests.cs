namespace Atelier.Training.Tests;

public class TorchBackendsTests
{
    [Fact]
    public void NnpackIsOffOnceTorchIsLoadable()
    {
        TorchRuntime.EnsureLoadable();
        Assert.False(TorchBackends.NnpackEnabled);
    }
}
