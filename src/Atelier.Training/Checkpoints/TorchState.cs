using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Atelier.Training.Checkpoints;

/// <summary>Module weights, optimizer state and the torch RNG state as bytes, for checkpoint sections.</summary>
public static class TorchState
{
    /// <summary>Parameters and buffers in TorchSharp's own format (Module.save).</summary>
    public static byte[] Save(nn.Module m)
    {
        ArgumentNullException.ThrowIfNull(m);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) m.save(writer);
        return buffer.ToArray();
    }

    /// <exception cref="TrainingException">"state-mismatch" when the bytes are for a differently shaped module.</exception>
    public static void Load(nn.Module m, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(m);
        ArgumentNullException.ThrowIfNull(bytes);
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false));
        try { m.load(reader, strict: true); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException or IOException)
        {
            throw new TrainingException("state-mismatch", $"saved weights do not fit this {m.GetName()} ({OneLine(e.Message)}); resume with the same model settings");
        }
    }

    /// <summary>Per-parameter state (Adam's moments and step counts) and the options of each group.</summary>
    public static byte[] Save(optim.Optimizer o)
    {
        var helper = Helper(o);
        using var buffer = new MemoryStream();
        using (var writer = new BinaryWriter(buffer, System.Text.Encoding.UTF8, leaveOpen: true)) helper.save_state_dict(writer);
        return buffer.ToArray();
    }

    /// <exception cref="TrainingException">"state-mismatch" when the bytes are for another optimizer or other parameters.</exception>
    public static void Load(optim.Optimizer o, byte[] bytes)
    {
        var helper = Helper(o);
        ArgumentNullException.ThrowIfNull(bytes);
        using var reader = new BinaryReader(new MemoryStream(bytes, writable: false));
        try { helper.load_state_dict(reader); }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or InvalidDataException or IOException or InvalidCastException)
        {
            throw new TrainingException("state-mismatch", $"saved optimizer state does not fit this {o.GetType().Name} ({OneLine(e.Message)}); resume with the same model and optimizer settings");
        }
    }

    /// <summary>A CPU generator's state (a checkpoint saves the run's own generator).</summary>
    public static byte[] SaveRng(torch.Generator generator)
    {
        ArgumentNullException.ThrowIfNull(generator);
        using var state = generator.get_state();
        using var bytes = state.to_type(ScalarType.Byte).cpu();
        return bytes.data<byte>().ToArray();
    }

    /// <exception cref="TrainingException">"state-mismatch" when the bytes are not a generator state.</exception>
    public static void LoadRng(torch.Generator generator, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(generator);
        ArgumentNullException.ThrowIfNull(bytes);
        // libtorch aborts the whole process on a wrongly sized state (TorchSharp does not catch it),
        // so the size is checked here against the generator's own.
        using (var current = generator.get_state())
            if (bytes.Length != current.NumberOfElements)
                throw new TrainingException("state-mismatch", $"saved random state has {bytes.Length} bytes, this torch's CPU generator state has {current.NumberOfElements}; it comes from another torch version or is damaged");
        using var state = torch.tensor(bytes, ScalarType.Byte);
        generator.set_state(state);
    }

    private static OptimizerHelper Helper(optim.Optimizer o)
    {
        ArgumentNullException.ThrowIfNull(o);
        return o as OptimizerHelper
            ?? throw new ArgumentException($"{o.GetType().Name} cannot save its state (not a TorchSharp OptimizerHelper)", nameof(o));
    }

    private static string OneLine(string message) => message.ReplaceLineEndings(" ").Trim();
}
