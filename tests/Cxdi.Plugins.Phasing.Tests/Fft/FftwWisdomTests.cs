using Cxdi.Plugins.Phasing.Fft;
using Cxdi.Sdk.Data;

namespace Cxdi.Plugins.Phasing.Tests.Fft;

public sealed class FftwWisdomTests
{
    [Fact]
    public void WisdomPath_FollowsOverrideThenXdgThenHome()
    {
        Assert.Equal("/tmp/w.wisdom", FftwWisdom.ResolvePath(" /tmp/w.wisdom ", "/xdg", "/home/u", "box"));
        Assert.Null(FftwWisdom.ResolvePath("none", "/xdg", "/home/u", "box"));
        Assert.Equal(Path.Combine("/xdg", "cxdi", "fftwf-box.wisdom"), FftwWisdom.ResolvePath(null, "/xdg", "/home/u", "box"));
        Assert.Equal(Path.Combine("/home/u", ".cache", "cxdi", "fftwf-my_box.wisdom"), FftwWisdom.ResolvePath("", "relative", "/home/u", "my.box"));
        Assert.Null(FftwWisdom.ResolvePath(null, null, "", "box"));
    }

    [FftwFact]
    public void ExportWisdom_WritesWholeFileAndLeavesNoTemporary()
    {
        string directory = Path.Combine(Path.GetTempPath(), $"cxdi-wisdom-{Guid.NewGuid():N}");
        try
        {
            using (new FftwEngine(Shape.Of(12, 20), 1, FftPlanning.Estimate))
            {
            }

            string path = Path.Combine(directory, "nested", "test.wisdom");
            Assert.True(FftwEngine.ExportWisdom(path));
            Assert.StartsWith("(fftw-3", File.ReadAllText(path));
            Assert.Single(Directory.GetFiles(Path.GetDirectoryName(path)!));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [FftwFact]
    public void ExportWisdom_ToUnwritablePath_ReturnsFalse()
    {
        string file = Path.GetTempFileName();
        try
        {
            // A path below a regular file cannot be created.
            Assert.False(FftwEngine.ExportWisdom(Path.Combine(file, "sub", "w.wisdom")));
        }
        finally
        {
            File.Delete(file);
        }
    }
}
