using Atelier.Ingest.Pipeline;

namespace Atelier.Ingest.Tests.Pipeline;

public class ByteBudgetTests
{
    [Fact]
    public async Task A_taker_waits_while_the_bytes_would_not_fit_and_goes_once_enough_are_given_back()
    {
        var budget = new ByteBudget(100);
        var ct = TestContext.Current.CancellationToken;
        await budget.TakeAsync(60, ct);
        await budget.TakeAsync(40, ct);
        var third = budget.TakeAsync(30, ct);
        await Task.Delay(50, ct);
        Assert.False(third.IsCompleted, "30 more bytes were taken with the budget full");

        budget.Give(20);                       // 80 in flight: 30 still do not fit
        await Task.Delay(50, ct);
        Assert.False(third.IsCompleted);
        budget.Give(40);                       // 40 in flight: now they do
        await third.WaitAsync(TimeSpan.FromSeconds(5), ct);
        Assert.Equal(70, budget.InFlight);
    }

    [Fact]
    public async Task A_file_larger_than_the_whole_budget_goes_alone()
    {
        var budget = new ByteBudget(100);
        var ct = TestContext.Current.CancellationToken;
        await budget.TakeAsync(500, ct).WaitAsync(TimeSpan.FromSeconds(5), ct);
        var next = budget.TakeAsync(1, ct);
        await Task.Delay(50, ct);
        Assert.False(next.IsCompleted, "a second file went in beside an oversized one");
        budget.Give(500);
        await next.WaitAsync(TimeSpan.FromSeconds(5), ct);
        Assert.Equal(1, budget.InFlight);
    }

    [Fact]
    public async Task Waiting_stops_when_the_ingest_is_cancelled()
    {
        var budget = new ByteBudget(10);
        await budget.TakeAsync(10, TestContext.Current.CancellationToken);
        using var cancel = new CancellationTokenSource();
        var waiting = budget.TakeAsync(5, cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
    }
}
