using Atelier.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

public sealed class TorchTests
{
    public TorchTests()
    {
        var prepared = TorchRuntime.EnsureLoadable();
        Assert.NotEqual(TorchLoadPreparation.NotNeeded, prepared);
    }

    [Fact]
    public void Ones_sum_to_four_on_cpu()
    {
        using var ones = torch.ones(2, 2, device: CPU);
        using var sum = ones.sum();
        Assert.Equal(4f, sum.item<float>());
    }

    [Fact]
    public void Gradient_of_sum_of_squares_is_twice_the_input()
    {
        using var x = torch.tensor(new float[] { 1.5f, -2f, 3f }, requires_grad: true);
        using var y = (x * x).sum();
        y.backward();
        Assert.Equal(new[] { 3f, -4f, 6f }, x.grad!.data<float>().ToArray());
    }

    [Fact]
    public void Output_library_no_longer_needs_the_missing_version_strongly()
    {
        // On systems whose libstdc++ lacks the version, the loaded copy must carry the weak flag.
        Assert.SkipWhen(TorchRuntime.SystemDefines(TorchRuntime.FindSystemLibStdCxx(), TorchRuntime.MissingVersion),
            $"this system's libstdc++ defines {TorchRuntime.MissingVersion}, so the library is loaded unpatched and has no weak flag to check");
        var needs = ElfVersionNeeds.List(File.ReadAllBytes(TorchRuntime.FindOutputLibrary()));
        var need = Assert.Single(needs, n => n.Version == TorchRuntime.MissingVersion);
        Assert.True(need.IsWeak);
    }
}
