using System.Runtime.Versioning;
using Atelier.Training;

namespace Atelier.Training.Tests;

// The fixtures are the Linux x64 library and the system libstdc++.
[SupportedOSPlatform("linux")]
public sealed class ElfVersionNeedsTests : IDisposable
{
    static readonly string Pristine = Path.Combine(AppContext.BaseDirectory, "Pristine", "libLibTorchSharp.so");
    readonly string folder = Directory.CreateTempSubdirectory("atelier-elf-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Shipped_library_needs_the_new_libstdcxx_version_strongly()
    {
        var needs = ElfVersionNeeds.List(File.ReadAllBytes(Pristine));
        var need = Assert.Single(needs, n => n.Version == TorchRuntime.MissingVersion);
        Assert.Equal("libstdc++.so.6", need.Library);
        Assert.False(need.IsWeak);
        // Sanity: the table is read whole, not just the one entry.
        Assert.Contains(needs, n => n.Library.StartsWith("libc.so", StringComparison.Ordinal) && n.Version.StartsWith("GLIBC_2.", StringComparison.Ordinal));
    }

    [Fact]
    public void Marking_weak_changes_only_that_flag_and_is_idempotent()
    {
        byte[] original = File.ReadAllBytes(Pristine);
        byte[] patched = (byte[])original.Clone();

        Assert.True(ElfVersionNeeds.MarkWeak(patched, TorchRuntime.MissingVersion));
        var changed = Enumerable.Range(0, original.Length).Where(i => original[i] != patched[i]).ToList();
        var need = ElfVersionNeeds.List(original).Single(n => n.Version == TorchRuntime.MissingVersion);
        Assert.Equal([(int)need.FlagsOffset], changed);
        Assert.Equal(original[need.FlagsOffset] | VersionNeed.WeakFlag, patched[need.FlagsOffset]);
        Assert.True(ElfVersionNeeds.List(patched).Single(n => n.Version == TorchRuntime.MissingVersion).IsWeak);

        byte[] again = (byte[])patched.Clone();
        Assert.False(ElfVersionNeeds.MarkWeak(again, TorchRuntime.MissingVersion));
        Assert.Equal(patched, again);
    }

    [Fact]
    public void Patching_a_copy_on_disk_is_atomic_idempotent_and_keeps_the_mode()
    {
        string copy = Path.Combine(folder, "libLibTorchSharp.so");
        File.Copy(Pristine, copy);
        File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead);

        Assert.Equal(TorchLoadPreparation.Patched, TorchRuntime.PatchCopy(copy));
        byte[] first = File.ReadAllBytes(copy);
        Assert.Equal(TorchLoadPreparation.AlreadyPatched, TorchRuntime.PatchCopy(copy));
        Assert.Equal(first, File.ReadAllBytes(copy));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead, File.GetUnixFileMode(copy));
        Assert.Equal(["libLibTorchSharp.so"], Directory.GetFiles(folder).Select(Path.GetFileName));
    }

    [Fact]
    public void System_libstdcxx_versions_are_read_from_its_definitions()
    {
        string libstdcxx = TorchRuntime.FindSystemLibStdCxx();
        Assert.True(TorchRuntime.SystemDefines(libstdcxx, "GLIBCXX_3.4.21"));
        Assert.False(TorchRuntime.SystemDefines(libstdcxx, "GLIBCXX_9.9.99"));
        Assert.Contains("GLIBCXX_3.4", ElfVersionNeeds.ListDefinitions(File.ReadAllBytes(libstdcxx)));
    }

    [Fact]
    public void Paths_inside_the_package_cache_are_recognised_even_through_a_symlink()
    {
        string cache = Directory.CreateDirectory(Path.Combine(folder, "packages")).FullName;
        string link = Path.Combine(folder, "out");
        Directory.CreateSymbolicLink(link, cache);

        Assert.True(TorchRuntime.IsUnderAny(Path.Combine(cache, "torchsharp", "lib.so"), [cache]));
        Assert.True(TorchRuntime.IsUnderAny(Path.Combine(link, "lib.so"), [cache]));
        Assert.False(TorchRuntime.IsUnderAny(Path.Combine(folder, "packages-other", "lib.so"), [cache]));
    }

    [Fact]
    public void Garbage_gives_a_clear_reason()
    {
        var random = new Random(7);
        byte[] garbage = new byte[4096];
        random.NextBytes(garbage);
        Assert.Equal("not-elf", Assert.Throws<ElfFormatException>(() => ElfVersionNeeds.List(garbage)).Reason);
        Assert.Equal("not-elf", Assert.Throws<ElfFormatException>(() => ElfVersionNeeds.List([])).Reason);
    }

    [Fact]
    public void Truncated_library_gives_a_clear_reason()
    {
        // Keeps the header but cuts away the section headers at the end of the file.
        byte[] head = File.ReadAllBytes(Pristine).AsSpan(0, 64 * 1024).ToArray();
        var error = Assert.Throws<ElfFormatException>(() => ElfVersionNeeds.List(head));
        Assert.Equal("truncated", error.Reason);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Fact]
    public void Unpatchable_or_missing_files_give_a_one_line_runtime_error()
    {
        string bogus = Path.Combine(folder, "libLibTorchSharp.so");
        File.WriteAllText(bogus, "not a library");
        Assert.Equal("unpatchable", Assert.Throws<TorchRuntimeException>(() => TorchRuntime.PatchCopy(bogus)).Reason);
        Assert.Equal("not a library", File.ReadAllText(bogus));

        string missing = Path.Combine(folder, "absent.so");
        var error = Assert.Throws<TorchRuntimeException>(() => TorchRuntime.EnsureLoadable(missing, TorchRuntime.FindSystemLibStdCxx()));
        Assert.Equal("library-missing", error.Reason);
        Assert.DoesNotContain('\n', error.Message);
    }
}
