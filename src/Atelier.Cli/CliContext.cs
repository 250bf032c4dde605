using System.CommandLine;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using Atelier.Catalog;
using Atelier.Governance;

namespace Atelier.Cli;

/// <summary>Options every command shares and the plumbing for running a command against its workspace.</summary>
public sealed class CliContext(CliHost host)
{
    public CliHost Host { get; } = host;

    public const string UserVariable = "ATELIER_USER";
    public const string TokenVariable = "ATELIER_TOKEN";

    public Option<string?> WorkspaceOption { get; } = new("--workspace", "-w")
    {
        Description = "Workspace folder (else ATELIER_WORKSPACE, else the current folder)",
        Recursive = true,
    };

    public Option<string?> AsOption { get; } = new("--as")
    {
        Description = "Act as this workspace user (else ATELIER_USER, else the workspace owner); needs the user's token",
        Recursive = true,
    };

    public Option<string?> TokenOption { get; } = new("--token")
    {
        Description = "Token of the user named by --as (else ATELIER_TOKEN)",
        Recursive = true,
    };

    public Option<bool> JsonOption { get; } = new("--json")
    {
        Description = "Print one JSON document on stdout",
        Recursive = true,
    };

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DictionaryKeyPolicy = null,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };

    public string WorkspacePath(ParseResult parse) =>
        Workspace.Locate(parse.GetValue(WorkspaceOption), Host.Environment(Workspace.EnvironmentVariable), Host.CurrentDirectory);

    /// <summary>Runs a command body with the workspace open; turns user-facing failures into one line on stderr.</summary>
    public int WithWorkspace(ParseResult parse, Func<Workspace, int> body) =>
        Guard(() =>
        {
            using var workspace = Workspace.Open(WorkspacePath(parse));
            // Every command acts as someone: the stages' checks and audit entries name this session's actor.
            if (Host.ActingUser is { } delegated) GovernanceSession.OpenAs(workspace, Host.Environment, delegated);
            else
                GovernanceSession.Open(workspace, Host.Environment,
                    parse.GetValue(AsOption) ?? Host.Environment(UserVariable), parse.GetValue(TokenOption) ?? Host.Environment(TokenVariable));
            return body(workspace);
        });

    public int Guard(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (AtelierException e)
        {
            Host.Error.WriteLine($"atelier: {OneLine(e.Message)}");
            return 1;
        }
        catch (OperationCanceledException)
        {
            Host.Error.WriteLine("atelier: interrupted");
            return 130;
        }
        catch (Exception e) when (CatalogErrors.Describe(e) is { } reason)
        {
            // A catalog failure (busy past the time-out, full, damaged) is a reason, not a crash.
            Host.Error.WriteLine($"atelier: {OneLine(reason.Message)}");
            return 1;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Host.Error.WriteLine($"atelier: {OneLine(e.Message)}");
            return 1;
        }
        catch (Exception e)
        {
            Host.Error.WriteLine(Unexpected(e));
            return 1;
        }
    }

    /// <summary>The one line a failure nobody foresaw gets: no stack trace ever reaches the user.</summary>
    public static string Unexpected(Exception e) => $"atelier: unexpected error ({e.GetType().Name}): {OneLine(e.Message)}";

    public bool Json(ParseResult parse) => parse.GetValue(JsonOption);

    public void WriteJson(object value) => Host.Out.WriteLine(JsonSerializer.Serialize(value, value.GetType(), JsonOptions));

    public static string OneLine(string text) => text.ReplaceLineEndings(" ").Trim();

    /// <summary>A date option: YYYY-MM-DD (midnight UTC) or a full ISO 8601 time; a one-line refusal otherwise.</summary>
    public static DateTimeOffset ParseTime(string text, string option) =>
        Atelier.Governance.Consent.SubjectForm.ParseTime(text.Trim())
        ?? throw new AtelierException("bad-date", $"{option} '{text}' is not a date (YYYY-MM-DD) or an ISO 8601 time");
}
