namespace Atelier.Training.Data;

/// <summary>
/// SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, and fixed by its definition, so a seed gives the
/// same sequence on every runtime version (System.Random's algorithm is not a contract).
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    public ulong Next()
    {
        _state += 0x9E3779B97F4A7C15UL;
        return Mix(_state);
    }

    /// <summary>Uniform in [0, bound) by Lemire's multiply-shift with rejection (no modulo bias).</summary>
    public int NextInt(int bound)
    {
        ulong range = (ulong)bound;
        while (true)
        {
            UInt128 product = (UInt128)Next() * range;
            ulong low = (ulong)product;
            if (low >= range || low >= (0UL - range) % range) return (int)(product >> 64);
        }
    }

    /// <summary>The SplitMix64 finaliser: a stateless hash of one 64-bit value.</summary>
    public static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>A seed for a sub-stream (e.g. one epoch) derived from a run seed and a stream number.</summary>
    public static ulong Derive(ulong seed, ulong stream, ulong purpose) => Mix(Mix(seed ^ purpose) + stream * 0x9E3779B97F4A7C15UL);
}
