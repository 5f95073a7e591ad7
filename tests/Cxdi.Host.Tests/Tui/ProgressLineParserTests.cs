using Cxdi.Host.Execution;
using Cxdi.Host.Tui;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;

namespace Cxdi.Host.Tests.Tui;

public sealed class ProgressLineParserTests
{
    public static TheoryData<ProgressReport> Reports => new()
    {
        new ProgressReport("phase", "") { Run = 2, RunCount = 10, Cycle = 120, CycleCount = 600, Llk = 1.2345, FreeLlk = 1.3012, SupportSize = 1234 },
        new ProgressReport("phase", "run 3: finished in 2.0 s, LLK 0.47") { Run = 3, RunCount = 6, Llk = 0.47082, FreeLlk = 0.52874, SupportSize = 416, State = RunState.Kept },
        new ProgressReport("phase", "") { Run = 0, RunCount = 1, State = RunState.Failed },
        new ProgressReport("mask", "thresholding") { Fraction = 0.5 },
    };

    [Theory]
    [MemberData(nameof(Reports))]
    public void Parse_OfConsoleProgressFormat_GivesTheReportBack(ProgressReport report)
    {
        var line = ConsoleProgress.Format(report);
        Assert.True(ProgressLineParser.TryParse(line, out var parsed), line);
        Assert.Equal(report.Step, parsed.Step);
        Assert.Equal(report.Message, parsed.Message);
        Assert.Equal(report.Run, parsed.Run);
        Assert.Equal(report.RunCount, parsed.RunCount);
        Assert.Equal(report.Cycle, parsed.Cycle);
        Assert.Equal(report.CycleCount, parsed.CycleCount);
        Assert.Equal(report.Llk is { } l ? Math.Round(l, 4) : (double?)null, parsed.Llk is { } p ? Math.Round(p, 4) : (double?)null);
        Assert.Equal(report.FreeLlk is { } f ? Math.Round(f, 4) : (double?)null, parsed.FreeLlk is { } q ? Math.Round(q, 4) : (double?)null);
        Assert.Equal(report.SupportSize, parsed.SupportSize);
        Assert.Equal(report.State ?? (report.Cycle is null ? null : RunState.Running), parsed.State);
        Assert.Equal(report.Fraction, parsed.Fraction);
    }

    [Theory]
    [InlineData("[input] cxdi.simulate read 128x128 (99.9 % of pixels measured) in 1.96 s")]
    [InlineData("[phase] cxdi.phase done in 12.96 s")]
    [InlineData("[output] cxdi.png wrote /tmp/out/result_amplitude.png")]
    [InlineData("quickstart: succeeded in 12.2 s; summary in out/summary.json")]
    [InlineData("[phase]: 3 run(s) kept of 6")]
    public void Parse_OtherLines_AreNotProgress(string line)
    {
        Assert.False(ProgressLineParser.TryParse(line, out _));
    }

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
