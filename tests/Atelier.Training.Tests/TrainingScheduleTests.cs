using System.Collections.Immutable;
using Atelier.Training.Data;
using Atelier.Training.Networks;
using Atelier.Training.Runs;
using static TorchSharp.torch;

namespace Atelier.Training.Tests;

public sealed class TrainingScheduleTests
{
    static TrainingOptions Modern(double kimg = 10) => TrainingSchedule.Fix(TrainingOptions.Defaults(ModelKind.Modern, "d", "r") with { Kimg = kimg });

    [Fact]
    public void Constant_keeps_the_options_values_all_run_long()
    {
        var options = TrainingOptions.Defaults(ModelKind.Dcgan, "d", "r");
        Assert.Equal(TrainingSchedule.Constant, options.Schedule);
        foreach (var images in new long[] { 0, 5_000, 10_000, 50_000 })
            Assert.Equal(new ScheduledValues(2e-4, 2e-4, 0.999, 1), TrainingSchedule.At(options, images));
    }

    [Fact]
    public void Cosine_goes_from_the_options_values_to_R3GANs_final_ones_over_its_length_and_then_holds()
    {
        var options = Modern(kimg: 10);
        Assert.Equal(10, options.ScheduleKimg);
        var start = TrainingSchedule.At(options, 0);
        Assert.Equal((2e-4, 2e-4, 0.9, 1.0), (start.LearningRateG, start.LearningRateD, start.Beta2, start.GammaScale));
        var half = TrainingSchedule.At(options, 5_000);
        Assert.Equal(2e-4 * 0.625, half.LearningRateG, 12);
        Assert.Equal(0.945, half.Beta2, 12);
        Assert.Equal(0.55, half.GammaScale, 12);
        var quarter = TrainingSchedule.At(options, 2_500);
        Assert.Equal(1 - 0.9 * (1 - Math.Cos(Math.PI / 4)) / 2, quarter.GammaScale, 12);
        foreach (var images in new long[] { 10_000, 20_000 })
        {
            var end = TrainingSchedule.At(options, images);
            Assert.Equal((5e-5, 5e-5, 0.99, 0.1), (Math.Round(end.LearningRateG, 12), Math.Round(end.LearningRateD, 12), Math.Round(end.Beta2, 12), Math.Round(end.GammaScale, 12)));
        }
    }

    [Fact]
    public void The_schedule_length_is_fixed_at_the_start_and_bad_schedules_are_refused()
    {
        Assert.Equal(3, TrainingSchedule.Fix(TrainingOptions.Defaults(ModelKind.Modern, "d", "r") with { Kimg = 10, ScheduleKimg = 3 }).ScheduleKimg);
        // A run made longer on resume keeps the length it started with.
        var started = Modern(kimg: 10);
        Assert.Equal(10, TrainingSchedule.Fix(started with { Kimg = 40 }).ScheduleKimg);
        Assert.Equal(0, TrainingSchedule.Fix(TrainingOptions.Defaults(ModelKind.Dcgan, "d", "r")).ScheduleKimg);
        Assert.Equal("bad-schedule", Assert.Throws<TrainingException>(() => TrainingSchedule.Fix(started with { Schedule = "linear" })).Code);
        Assert.Equal("bad-schedule", Assert.Throws<TrainingException>(() => TrainingSchedule.Fix(started with { ScheduleKimg = -1 })).Code);
    }

    [Fact]
    public void The_session_sets_both_optimizers_to_the_scheduled_rate_and_beta2()
    {
        Nets.Load();
        using var session = TrainingSession.Create(Modern(kimg: 10) with { Resolution = 32 }, new LabelSpace(ConditioningMode.None, null, ImmutableArray<string>.Empty), "root", CPU);
        session.Images = 5_000;
        var now = session.ApplySchedule();
        foreach (var (optimizer, rate) in new[] { (session.OptimizerG, now.LearningRateG), (session.OptimizerD, now.LearningRateD) })
        {
            var group = Assert.Single(optimizer.ParamGroups.Cast<TorchSharp.Modules.Adam.ParamGroup>());
            Assert.Equal(rate, group.LearningRate, 15);
            Assert.Equal((0.0, 0.945), (group.Betas.Item1, Math.Round(group.Betas.Item2, 12)));
        }
        Assert.Equal(2e-4 * 0.625, now.LearningRateG, 12);
    }
}
