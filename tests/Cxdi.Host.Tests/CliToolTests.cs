namespace Cxdi.Host.Tests;

/// <summary>Sub-commands added by <c>ICliTool</c> plugins (<c>cxdi plan</c>, <c>cxdi simulate</c>): the host's generic option handling.</summary>
public sealed class CliToolTests
{
    private static Task<CliResult> BuiltIn(string currentDirectory, params string[] args) =>
        Harness.RunRaw(currentDirectory, null, CancellationToken.None, ["--plugins", Harness.BuiltInPlugins, .. args]);

    [Fact]
    public async Task Plan_OptionErrors_HaveNoMeaninglessFileLinePrefix()
    {
        using var temp = new TempDir();
        var r = await BuiltIn(temp.Path, "plan");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("", r.Out);
        Assert.Equal(
        [
            "cxdi: error: option 'energy' of cxdi.plan: give exactly one of --energy (e.g. 8keV) or --wavelength (e.g. 1.55A)",
            "cxdi: error: option 'distance' of cxdi.plan: --distance '' is not a positive number followed by its unit (write for example --distance 75um)",
            "cxdi: error: option 'pixel' of cxdi.plan: --pixel '' is not a positive number followed by its unit (write for example --pixel 75um)",
        ], r.ErrorLines);

        r = await BuiltIn(temp.Path, "plan", "--energy", "8keV", "--distance", "5m", "--pixel", "55um", "--pixels", "many");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal(["cxdi: error: --pixels many: option 'pixels' of cxdi.plan expects an integer, got 'many'"], r.ErrorLines);
    }

    [Fact]
    public async Task Help_OffersOut_OnlyToToolsThatWriteFiles()
    {
        using var temp = new TempDir();
        var r = await BuiltIn(temp.Path, "plan", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--energy", r.Out);
        Assert.DoesNotContain("--out", r.Out);

        r = await BuiltIn(temp.Path, "plan", "--energy", "8keV", "--distance", "5m", "--pixel", "55um", "--out", "x");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--out", Assert.Single(r.ErrorLines));

        r = await BuiltIn(temp.Path, "simulate", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--gap-offsets <GAP_OFFSETS,…>", r.Out);

        // a tool that writes through the host's output sink keeps --out
        r = await Harness.Run(temp.Path, "stats", "--help");
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("--out <DIR>", r.Out);
    }

    [Theory]
    [InlineData("21,-47")]
    [InlineData("21, -47")]
    [InlineData("[21,-47]")]
    public async Task Simulate_ListOption_AcceptsCommaSeparatedValues(string offsets)
    {
        using var temp = new TempDir();
        var r = await BuiltIn(temp.Path, "simulate", "--size", "128", "--gap-width", "2", "--gap-offsets", offsets, "--out", Path.Combine(temp.Path, "sim"));
        Assert.Equal("", r.Error);
        Assert.Equal(0, r.ExitCode);
        Assert.Contains("simulated 128x128", r.Out);
        Assert.NotEmpty(Directory.GetFiles(Path.Combine(temp.Path, "sim")));

        r = await BuiltIn(temp.Path, "simulate", "--size", "128", "--gap-offsets", "21,x");
        Assert.Equal(2, r.ExitCode);
        Assert.StartsWith($"cxdi: error: --gap-offsets 21,x: option 'gap_offsets' of cxdi.simulate-tool", Assert.Single(r.ErrorLines));
    }
}
