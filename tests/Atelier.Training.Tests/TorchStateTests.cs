using Atelier.Training.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

public sealed class TorchStateTests
{
    static TorchStateTests() => TorchRuntime.EnsureLoadable();

    private static nn.Module<Tensor, Tensor> Net() => nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 2));

    private static void Step(nn.Module<Tensor, Tensor> net, optim.Optimizer opt, int seed)
    {
        using var scope = NewDisposeScope();
        var gen = new Generator((ulong)seed);
        var x = rand([16, 4], generator: gen);
        var y = rand([16, 2], generator: gen);
        opt.zero_grad();
        nn.functional.mse_loss(net.forward(x), y).backward();
        opt.step();
    }

    private static float[] Flat(nn.Module net) => [.. net.parameters().SelectMany(p => p.data<float>().ToArray())];

    [Fact]
    public void Adam_state_round_trips_so_the_next_step_is_identical()
    {
        manual_seed(11);
        var a = Net();
        var adamA = optim.Adam(a.parameters(), lr: 0.01, beta1: 0.5, beta2: 0.999);
        for (int i = 0; i < 3; i++) Step(a, adamA, i);
        byte[] weights = TorchState.Save(a);
        byte[] moments = TorchState.Save(adamA);

        manual_seed(99); // different initial weights, so only the loaded bytes can make them equal
        var b = Net();
        var adamB = optim.Adam(b.parameters(), lr: 0.01, beta1: 0.5, beta2: 0.999);
        TorchState.Load(b, weights);
        TorchState.Load(adamB, moments);
        Assert.Equal(Flat(a), Flat(b));

        // A fresh Adam from the same weights steps differently: the moments are what the test is about.
        var c = Net();
        TorchState.Load(c, weights);
        var adamC = optim.Adam(c.parameters(), lr: 0.01, beta1: 0.5, beta2: 0.999);

        Step(a, adamA, 7);
        Step(b, adamB, 7);
        Step(c, adamC, 7);
        Assert.Equal(Flat(a), Flat(b));
        Assert.NotEqual(Flat(a), Flat(c));
    }

    [Fact]
    public void Weights_for_another_shape_are_refused()
    {
        byte[] weights = TorchState.Save(Net());
        var other = nn.Sequential(nn.Linear(4, 9), nn.Tanh(), nn.Linear(9, 2));
        var e = Assert.Throws<TrainingException>(() => TorchState.Load(other, weights));
        Assert.Equal("state-mismatch", e.Code);
    }

    [Fact]
    public void Optimizer_state_for_other_parameters_or_another_optimizer_is_refused()
    {
        var a = Net();
        var adam = optim.Adam(a.parameters());
        Step(a, adam, 1);
        byte[] state = TorchState.Save(adam);

        var wider = nn.Sequential(nn.Linear(4, 9), nn.Tanh(), nn.Linear(9, 2));
        Assert.Equal("state-mismatch", Assert.Throws<TrainingException>(() => TorchState.Load(optim.Adam(wider.parameters()), state)).Code);
        var sgd = Assert.Throws<TrainingException>(() => TorchState.Load(optim.SGD(a.parameters(), 0.1), state));
        Assert.Equal("state-mismatch", sgd.Code);
        Assert.Contains("SGD", sgd.Message);
        Assert.Equal("state-mismatch", Assert.Throws<TrainingException>(() => TorchState.Load(optim.Adam(a.parameters()), [1, 2, 3])).Code);
    }

    [Fact]
    public void Rng_state_round_trips_so_the_same_numbers_come_next()
    {
        using var generator = new Generator(5);
        using var _ = rand([10], generator: generator);
        byte[] state = TorchState.SaveRng(generator);
        Assert.NotEmpty(state);
        float[] first = rand([32], generator: generator).data<float>().ToArray();
        float[] second = rand([32], generator: generator).data<float>().ToArray();
        Assert.NotEqual(first, second);

        using var other = new Generator(6);
        TorchState.LoadRng(other, state);
        Assert.Equal(first, rand([32], generator: other).data<float>().ToArray());
    }

    [Fact]
    public void Garbage_rng_state_is_refused()
    {
        var e = Assert.Throws<TrainingException>(() => TorchState.LoadRng(new Generator(1), [1, 2, 3]));
        Assert.Equal("state-mismatch", e.Code);
    }
}
