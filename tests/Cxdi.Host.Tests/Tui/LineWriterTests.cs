using Cxdi.Host.Tui;

namespace Cxdi.Host.Tests.Tui;

public sealed class LineWriterTests
{
    [Fact]
    public void LineWriter_HandsOverCompleteLinesOnly()
    {
        var lines = new List<string>();
        using var writer = new LineWriter(lines.Add);
        writer.Write("first ");
        writer.Write("part\r\nsecond\n");
        writer.Write("unfinished");
        Assert.Equal(["first part", "second"], lines);
    }
}
