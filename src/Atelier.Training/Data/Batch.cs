namespace Atelier.Training.Data;

/// <summary>
/// One training batch: Images float32 NCHW in [-1, 1] (Size x 3 x R x R), Labels float32 Size x LabelDim.
/// Arrays are recycled by <see cref="BatchStream.Return"/>, so Number and Size are rewritten in place.
/// </summary>
public sealed record Batch(float[] Images, float[] Labels, int Size, long Number)
{
    public int Size { get; internal set; } = Size;
    public long Number { get; internal set; } = Number;
}
