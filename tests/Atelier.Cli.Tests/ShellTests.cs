namespace Atelier.Cli.Tests;

public class ShellTests
{
    [Fact]
    public void InitThenReportAsJsonIsOneDocument()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var report = cli.Ok("report", "--json").Json;
        Assert.Equal(0, report.GetProperty("report").GetProperty("images").GetInt32());
    }

    [Fact]
    public void WorkspaceComesFromOptionThenEnvironmentThenCurrentFolder()
    {
        using var cli = new CliRunner();
        cli.Ok("init", "a");
        cli.Ok("init", "b");
        Assert.Equal(1, cli.Run("report").Code);
        cli.Environment["ATELIER_WORKSPACE"] = Path.Combine(cli.Directory, "a");
        Assert.Equal(0, cli.Run("report").Code);
        Assert.Equal(Path.Combine(cli.Directory, "c"), cli.Ok("init", "--json", "--workspace", Path.Combine(cli.Directory, "c")).Json.GetProperty("workspace").GetString());
    }

    [Fact]
    public void MissingWorkspaceIsOneLineOnStderrAndNonZero()
    {
        using var cli = new CliRunner();
        var r = cli.Run("images", "list");
        Assert.Equal(1, r.Code);
        Assert.Equal("", r.Out);
        Assert.Single(r.Error.TrimEnd().Split('\n'));
        Assert.Contains("no Atelier workspace", r.Error);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("rate", "all", "spicy")]
    [InlineData("exclude", "all")]
    public void UsageErrorsAreOneLineWithExitCode2(params string[] args)
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var r = cli.Run(args);
        Assert.Equal(2, r.Code);
        Assert.Single(r.Error.TrimEnd().Split('\n'));
        Assert.StartsWith("atelier: ", r.Error);
    }

    [Fact]
    public void BadSelectorIsReportedNotThrown()
    {
        using var cli = new CliRunner();
        cli.Ok("init");
        var r = cli.Run("rate", "colour:red", "general");
        Assert.Equal(1, r.Code);
        Assert.Contains("colour:red", r.Error);
    }
}
