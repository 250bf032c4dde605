namespace Atelier.Training;

/// <summary>What <see cref="TorchRuntime.EnsureLoadable()"/> found and did.</summary>
public enum TorchLoadPreparation
{
    /// <summary>Not Linux x64: the packaged library is used as shipped.</summary>
    NotNeeded,
    /// <summary>The system libstdc++ already defines the version the library asks for.</summary>
    SystemLibraryIsNewEnough,
    /// <summary>The output copy had already been patched (by an earlier run).</summary>
    AlreadyPatched,
    /// <summary>The output copy was patched just now.</summary>
    Patched,
}
