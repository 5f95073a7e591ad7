namespace Cxdi.Plugins.Formats.Tests;

public sealed class SkippingFactsTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void FilterMissingReason_H5pyWithoutBitshuffle_SkipsNamingDebianPackages()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        // A stand-in interpreter that fails the probe as h5py does when hdf5plugin imports but its filters are absent.
        var fake = _tmp.File("python-without-filter");
        File.WriteAllText(fake, "#!/bin/sh\ncat >/dev/null\necho 'Traceback (most recent call last):' >&2\necho 'ValueError: Unknown compression filter number: 32008' >&2\nexit 1\n");
        File.SetUnixFileMode(fake, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        var reason = Python.FilterMissingReason(fake);

        Assert.NotNull(reason);
        Assert.Contains("Unknown compression filter number: 32008", reason);
        Assert.Contains("python3-hdf5plugin", reason);
        Assert.Contains("bitshuffle", reason);
        Assert.Contains("hdf5-filter-plugin", reason);
    }
}
