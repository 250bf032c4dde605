using TorchSharp;
using static TorchSharp.torch;

namespace Atelier.Training.Runs;

/// <summary>
/// A cheap, fixed yardstick used to pick the "best" checkpoint and to see a run move toward its data:
/// the Fréchet distance between Gaussians fitted to 4x4 colour thumbnails (48 numbers per image) of
/// generated and real images. It sees colour and coarse layout only; it is not FID.
/// </summary>
public static class PixelFrechet
{
    public const int Side = 4;

    /// <summary>Mean and covariance of the 4x4 thumbnails of images [N,3,R,R] in [-1,1].</summary>
    public static (Tensor Mean, Tensor Covariance) Statistics(Tensor images)
    {
        using var scope = NewDisposeScope();
        var x = nn.functional.adaptive_avg_pool2d(images.to(float64), [Side, Side]).reshape(images.shape[0], -1);
        var mean = x.mean([0]);
        var centred = x - mean;
        var cov = centred.t().matmul(centred) / Math.Max(1, images.shape[0] - 1);
        return (scope.MoveToOuter(mean), scope.MoveToOuter(cov));
    }

    public static double Distance((Tensor Mean, Tensor Covariance) a, (Tensor Mean, Tensor Covariance) b)
    {
        using var scope = NewDisposeScope();
        var (valuesA, vectorsA) = linalg.eigh(a.Covariance);
        var sqrtA = vectorsA.matmul(diag(valuesA.clamp_min(0).sqrt())).matmul(vectorsA.t());
        var product = sqrtA.matmul(b.Covariance).matmul(sqrtA);
        var traceSqrt = linalg.eigvalsh((product + product.t()) / 2).clamp_min(0).sqrt().sum();
        var meanTerm = (a.Mean - b.Mean).square().sum();
        return (meanTerm + a.Covariance.trace() + b.Covariance.trace() - 2 * traceSqrt).item<double>();
    }
}
