using System.Text;
using Atelier.Catalog;
using Atelier.Governance;
using Atelier.Governance.Keys;
using Atelier.TestSupport;

namespace Atelier.Governance.Tests;

public sealed class KeysTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] vars) =>
        name => vars.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Key_ring_is_created_once_owner_only_and_reloads_the_same_key()
    {
        using var t = new TempWorkspace();
        var path = KeyRing.DefaultPath(t.Workspace, Env());
        var ring = KeyRing.Create(path);
        if (!OperatingSystem.IsWindows()) Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        var again = KeyRing.Load(t.Workspace, Env());
        Assert.Equal(ring.Active.Id, again.Active.Id);
        var e = Assert.Throws<AtelierException>(() => KeyRing.Create(path));
        Assert.Equal("key-exists", e.Code);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")] // skipped there (below); says so to the platform analyzer
    public void Key_ring_is_owner_only_from_its_first_byte_when_created_and_when_rotated()
    {
        Assert.SkipWhen(OperatingSystem.IsWindows(), "Unix file modes");
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, "keys", "ring.json");
        // Every temporary file the key ring goes through, seen whole just before it is renamed into place.
        var seen = new List<(string Temp, UnixFileMode Mode)>();
        AtomicFile.TempWritten.Value = temp => seen.Add((temp, File.GetUnixFileMode(temp)));
        try
        {
            var ring = KeyRing.Create(path);
            Assert.Equal(KeyRing.FileMode, File.GetUnixFileMode(path));
            // A key file that others could read before (made by hand, say) is replaced by an owner-only one.
            File.SetUnixFileMode(path, KeyRing.FileMode | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            ring.Rotate();
            Assert.Equal(KeyRing.FileMode, File.GetUnixFileMode(path));
        }
        finally
        {
            AtomicFile.TempWritten.Value = null;
        }
        Assert.Equal(2, seen.Count);
        Assert.All(seen, s =>
        {
            Assert.StartsWith(".ring.json.", Path.GetFileName(s.Temp));
            Assert.Equal(KeyRing.FileMode, s.Mode);
        });
    }

    [Fact]
    public void Missing_or_damaged_key_ring_gets_a_one_line_reason()
    {
        using var t = new TempWorkspace();
        var missing = Assert.Throws<AtelierException>(() => KeyRing.Load(t.Workspace, Env()));
        Assert.Equal("missing-key", missing.Code);
        Assert.DoesNotContain('\n', missing.Message);
        File.WriteAllText(KeyRing.DefaultPath(t.Workspace, Env()), "{ not json");
        Assert.Equal("bad-key", Assert.Throws<AtelierException>(() => KeyRing.Load(t.Workspace, Env())).Code);
        Assert.Equal("bad-key", Assert.Throws<AtelierException>(() => KeyRing.Load(t.Workspace, Env((KeyRing.KeyVariable, "%%%")))).Code);
    }

    [Fact]
    public void Key_file_variable_and_inline_key_are_honoured()
    {
        using var t = new TempWorkspace();
        using var dir = new TempDir();
        var elsewhere = Path.Combine(dir.Path, "ring.json");
        var ring = KeyRing.Create(elsewhere);
        Assert.Equal(ring.Active.Id, KeyRing.Load(t.Workspace, Env((KeyRing.FileVariable, elsewhere))).Active.Id);
        var inline = KeyRing.Load(t.Workspace, Env((KeyRing.KeyVariable, Convert.ToBase64String(new byte[32]))));
        Assert.Null(inline.FilePath);
        Assert.Equal("key-in-environment", Assert.Throws<AtelierException>(() => inline.Rotate()).Code);
    }

    [Fact]
    public void Sealed_values_round_trip_and_refuse_tampering_and_other_purposes()
    {
        using var dir = new TempDir();
        var sealer = new Sealer(KeyRing.Create(Path.Combine(dir.Path, "k.json")));
        var secret = "Distinctive Name 1234";
        var box = sealer.Seal(secret, "subject S-1");
        Assert.DoesNotContain(secret, Encoding.UTF8.GetString(box));
        Assert.Equal(secret, sealer.OpenText(box, "subject S-1"));
        Assert.NotEqual(box, sealer.Seal(secret, "subject S-1")); // fresh nonce each time
        Assert.Equal("bad-seal", Assert.Throws<AtelierException>(() => sealer.Open(box, "subject S-2")).Code);
        var altered = (byte[])box.Clone();
        altered[^1] ^= 1;
        Assert.Equal("bad-seal", Assert.Throws<AtelierException>(() => sealer.Open(altered, "subject S-1")).Code);
        Assert.Equal("bad-seal", Assert.Throws<AtelierException>(() => sealer.Open("plain"u8, "subject S-1")).Code);
    }

    [Fact]
    public void Rotation_keeps_old_keys_for_opening_and_seals_with_the_new_one()
    {
        using var dir = new TempDir();
        var ring = KeyRing.Create(Path.Combine(dir.Path, "k.json"));
        var old = new Sealer(ring).Seal("x", "p");
        var rotated = ring.Rotate();
        Assert.NotEqual(ring.Active.Id, rotated.Active.Id);
        Assert.Equal(2, rotated.Keys.Count);
        var sealer = new Sealer(rotated);
        Assert.False(sealer.IsCurrent(old));
        Assert.Equal("x", sealer.OpenText(old, "p"));
        Assert.True(sealer.IsCurrent(sealer.Seal("y", "p")));
    }

    [Fact]
    public void A_value_sealed_under_another_workspace_key_is_refused()
    {
        using var dir = new TempDir();
        var a = new Sealer(KeyRing.Create(Path.Combine(dir.Path, "a.json")));
        var b = new Sealer(KeyRing.Create(Path.Combine(dir.Path, "b.json")));
        Assert.Equal("unknown-key", Assert.Throws<AtelierException>(() => b.Open(a.Seal("x", "p"), "p")).Code);
    }
}
