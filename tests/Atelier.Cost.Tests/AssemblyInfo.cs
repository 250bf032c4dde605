// RAPL (powercap sysfs) and NVML's libnvidia-ml.so.1 are Linux interfaces; so are these tests' fake trees.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
