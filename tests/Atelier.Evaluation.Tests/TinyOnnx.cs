using Google.Protobuf;
using Onnx;

namespace Atelier.Evaluation.Tests;

/// <summary>
/// A second feature network the tests write themselves (ONNX protobuf through OnnxSharp's generated
/// classes): input "pixels" [1,3,S,S] (batch fixed at 1, like the built-in) and two outputs, "mean"
/// (GlobalAveragePool) and "peak" (GlobalMaxPool), each [1,3,1,1]. Its features have a known answer:
/// the per-channel mean and maximum of the normalised image.
/// </summary>
public static class TinyOnnx
{
    public static string Write(string path, int size = 16, string input = "pixels")
    {
        var graph = new GraphProto { Name = "tiny" };
        graph.Node.Add(new NodeProto { OpType = "GlobalAveragePool", Input = { input }, Output = { "mean" }, Name = "avg" });
        graph.Node.Add(new NodeProto { OpType = "GlobalMaxPool", Input = { input }, Output = { "peak" }, Name = "max" });
        graph.Input.Add(Value(input, 1, 3, size, size));
        graph.Output.Add(Value("mean", 1, 3, 1, 1));
        graph.Output.Add(Value("peak", 1, 3, 1, 1));
        var model = new ModelProto { IrVersion = 7, ProducerName = "atelier-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        File.WriteAllBytes(path, model.ToByteArray());
        return path;
    }

    private static ValueInfoProto Value(string name, params long[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var d in dims) shape.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }
}
