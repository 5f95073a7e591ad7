using Cxdi.Sdk.IO;

namespace Cxdi.Sdk.Tests;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDir _tmp = new();

    public void Dispose() => _tmp.Dispose();

    [Fact]
    public void WriteAllText_NewDirectory_CreatesItAndWritesUtf8WithoutBom()
    {
        var path = Path.Combine(_tmp.Path, "sub", "dir", "summary.json");

        AtomicFile.WriteAllText(path, "{\"é\": 1}\n");

        Assert.Equal("{\"é\": 1}\n"u8.ToArray(), File.ReadAllBytes(path));
        Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp"));
    }

    [Fact]
    public void WriteAllBytes_ExistingFile_IsReplaced()
    {
        var path = _tmp.File("picture.png");
        File.WriteAllBytes(path, [1, 2, 3]);

        AtomicFile.WriteAllBytes(path, [4, 5]);

        Assert.Equal([4, 5], File.ReadAllBytes(path));
    }

    [Fact]
    public void Write_CallerWritesTheTempFileBesideTheTarget()
    {
        var path = _tmp.File("result.cxi");
        string? seen = null;

        AtomicFile.Write(path, temp =>
        {
            seen = temp;
            File.WriteAllText(temp, "new");
        });

        Assert.Equal(_tmp.Path, Path.GetDirectoryName(seen));
        Assert.StartsWith(".result.cxi.", Path.GetFileName(seen), StringComparison.Ordinal);
        Assert.Equal("new", File.ReadAllText(path));
        Assert.False(File.Exists(seen));
    }

    [Fact]
    public void Write_FailingWriter_KeepsTheOldFileDeletesTheTempAndRethrows()
    {
        var path = _tmp.File("result.cxi");
        File.WriteAllText(path, "old");

        var error = Assert.Throws<InvalidDataException>(() => AtomicFile.Write(path, temp =>
        {
            File.WriteAllText(temp, "half");
            throw new InvalidDataException("encoder failed");
        }));

        Assert.Equal("encoder failed", error.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal([path], Directory.GetFiles(_tmp.Path));
    }

    [Fact]
    public void WriteAllBytes_TargetIsADirectory_FailsAndLeavesNoTemp()
    {
        var path = _tmp.File("taken");
        Directory.CreateDirectory(path);

        Assert.ThrowsAny<IOException>(() => AtomicFile.WriteAllBytes(path, [1]));

        Assert.Empty(Directory.GetFiles(_tmp.Path));
    }
}
