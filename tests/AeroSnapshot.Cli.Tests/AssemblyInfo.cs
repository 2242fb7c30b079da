// The tool and its tests are Linux-only: flock, libc, AeroDB data directories.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
