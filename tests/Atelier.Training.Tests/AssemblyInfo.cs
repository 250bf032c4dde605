// libtorch's default random generator is process-wide: tests that seed it and then train or compare
// must not interleave with others, or "same seed, same result" checks fail for reasons outside the code.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
