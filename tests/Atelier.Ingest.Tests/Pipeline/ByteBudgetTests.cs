using Atelier.Ingest.Pipeline;

namespace Atelier.Ingest.Tests.Pipeline;

// Give lets waiters in before it returns, so each state below is settled when it is checked: no waiting on time.
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
        Assert.False(third.IsCompleted, "30 more bytes were taken with the budget full");

        budget.Give(20);                       // 80 in flight: 30 still do not fit
        Assert.False(third.IsCompleted);
        Assert.Equal(80, budget.InFlight);
        budget.Give(40);                       // 40 in flight: now they do
        Assert.True(third.IsCompletedSuccessfully);
        Assert.Equal(70, budget.InFlight);
    }

    [Fact]
    public async Task A_file_larger_than_the_whole_budget_goes_alone()
    {
        var budget = new ByteBudget(100);
        var ct = TestContext.Current.CancellationToken;
        Assert.True(budget.TakeAsync(500, ct).IsCompletedSuccessfully);
        var next = budget.TakeAsync(1, ct);
        Assert.False(next.IsCompleted, "a second file went in beside an oversized one");
        budget.Give(500);
        await next;
        Assert.Equal(1, budget.InFlight);
    }

    [Fact]
    public void Takers_go_in_the_order_they_came_so_a_large_one_is_not_overtaken()
    {
        var budget = new ByteBudget(100);
        var ct = TestContext.Current.CancellationToken;
        Assert.True(budget.TakeAsync(90, ct).IsCompletedSuccessfully);
        var large = budget.TakeAsync(80, ct);
        var small = budget.TakeAsync(5, ct);
        Assert.False(small.IsCompleted, "a small file overtook the large one waiting before it");
        budget.Give(90);
        Assert.True(large.IsCompletedSuccessfully);
        Assert.True(small.IsCompletedSuccessfully);
        Assert.Equal(85, budget.InFlight);
    }

    [Fact]
    public async Task Waiting_stops_when_the_ingest_is_cancelled_and_takes_nothing()
    {
        var budget = new ByteBudget(10);
        await budget.TakeAsync(10, TestContext.Current.CancellationToken);
        using var cancel = new CancellationTokenSource();
        var waiting = budget.TakeAsync(5, cancel.Token);
        cancel.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => waiting);
        budget.Give(10);
        Assert.Equal(0, budget.InFlight);
    }
}
