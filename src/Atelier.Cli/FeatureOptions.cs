using System.CommandLine;
using Atelier.Evaluation.Features;

namespace Atelier.Cli;

/// <summary>The feature network options (--features and how to feed another network), the same for every command that takes them.</summary>
public sealed class FeatureOptions
{
    private readonly Option<string> _features = new("--features") { Description = "resnet18 (built-in, reported as FD-ResNet18) or onnx:PATH (another network, e.g. Inception-v3 or DINOv2)", DefaultValueFactory = _ => "resnet18" };
    private readonly Option<string> _input = new("--input") { Description = "onnx:PATH: the input's name (default: its only input)" };
    private readonly Option<string> _output = new("--output") { Description = "onnx:PATH: the output's name (default: its only output)" };
    private readonly Option<int?> _size = new("--size") { Description = "onnx:PATH: image side the network takes (default: what the model declares)" };
    private readonly Option<string> _mean = new("--mean") { Description = "onnx:PATH: per-channel mean of 0-1 RGB values, a,b,c (default 0,0,0)" };
    private readonly Option<string> _std = new("--std") { Description = "onnx:PATH: per-channel std, a,b,c (default 1,1,1)" };

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { _features, _input, _output, _size, _mean, _std }) command.Options.Add(option);
    }

    public FeatureNetwork Network(ParseResult parse, CliContext c) =>
        FeatureNetwork.Parse(parse.GetValue(_features), parse.GetValue(_input), parse.GetValue(_output), parse.GetValue(_size),
            parse.GetValue(_mean), parse.GetValue(_std), c.Host.CurrentDirectory);
}
