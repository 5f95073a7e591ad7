using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Host.Options;
using Cxdi.Host.Workflows;
using Cxdi.Sdk.Plugins;
using YamlDotNet.RepresentationModel;

namespace Cxdi.Host.Tests;

public enum Flavour
{
    Plain,
    ExtraSpicy,
}

public sealed record SampleOptions : PluginOptions
{
    [Description("runs")]
    [Range(1, 100)]
    public int Runs { get; init; } = 10;

    [Positive]
    public double SigmaStart { get; init; } = 1.5;

    public float Beta { get; init; } = 0.9f;

    public long Seed { get; init; } = 42;

    public bool Verbose { get; init; }

    public string Operators { get; init; } = "ER**10";

    public Flavour Flavour { get; init; } = Flavour.Plain;

    public int[] Sizes { get; init; } = [1, 2];

    public List<Flavour> Flavours { get; init; } = [];

    public double? Cutoff { get; init; }

    [OptionName("fft")]
    public string FftName { get; init; } = "auto";

    public override IEnumerable<OptionProblem> Validate()
    {
        if (Cutoff is { } c && c > SigmaStart)
        {
            yield return new OptionProblem(nameof(Cutoff), "must not exceed sigma_start");
        }
    }
}

public sealed class NamingAndBinderTests
{
    private static (BoundOptions? Bound, List<Problem> Problems) Bind(string yaml)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(yaml));
        var problems = new List<Problem>();
        var bound = OptionsBinder.Bind("test.sample", typeof(SampleOptions), stream.Documents[0].RootNode, null, new SourceMap("f.yaml"), problems);
        return (bound, problems);
    }

    [Theory]
    [InlineData("SigmaStart", "sigma_start")]
    [InlineData("Runs", "runs")]
    [InlineData("FFTSize", "fft_size")]
    [InlineData("MaxIter2D", "max_iter2_d")]
    [InlineData("ExtraSpicy", "extra_spicy")]
    public void ToSnakeCase_ConvertsPascalCase(string name, string expected) => Assert.Equal(expected, Naming.ToSnakeCase(name));

    [Fact]
    public void Closest_SuggestsNearId_AndNothingForFarOnes()
    {
        Assert.Equal("cxdi.phase", Naming.Closest("cxdi.phas", ["cxdi.phase", "esrf.edf"]));
        Assert.Null(Naming.Closest("zzzzzz", ["cxdi.phase", "esrf.edf"]));
    }

    [Fact]
    public void Bind_AllSupportedTypes_FromSnakeCaseKeys()
    {
        var (bound, problems) = Bind("{ runs: 7, sigma_start: 2.5, beta: 0.5, seed: 12345678901, verbose: true, operators: 'HIO**5', flavour: extra_spicy, sizes: [3, 4, 5], flavours: [plain, extra_spicy], cutoff: 1.25, fft: fftw }");
        Assert.Equal("", string.Join("; ", problems));
        var o = Assert.IsType<SampleOptions>(bound!.Options);
        Assert.Equal(7, o.Runs);
        Assert.Equal(2.5, o.SigmaStart);
        Assert.Equal(0.5f, o.Beta);
        Assert.Equal(12345678901L, o.Seed);
        Assert.True(o.Verbose);
        Assert.Equal("HIO**5", o.Operators);
        Assert.Equal(Flavour.ExtraSpicy, o.Flavour);
        Assert.Equal([3, 4, 5], o.Sizes);
        Assert.Equal([Flavour.Plain, Flavour.ExtraSpicy], o.Flavours);
        Assert.Equal(1.25, o.Cutoff);
        Assert.Equal("fftw", o.FftName);
        Assert.Equal("extra_spicy", bound.Resolved["flavour"]);
        Assert.Equal(new List<object?> { 3, 4, 5 }, bound.Resolved["sizes"]);
    }

    [Fact]
    public void Bind_NoWith_GivesDefaultsInResolvedMap()
    {
        var problems = new List<Problem>();
        var bound = OptionsBinder.Bind("test.sample", typeof(SampleOptions), null, null, new SourceMap("f.yaml"), problems);
        Assert.Empty(problems);
        Assert.Equal(10, bound!.Resolved["runs"]);
        Assert.Equal("plain", bound.Resolved["flavour"]);
        Assert.Null(bound.Resolved["cutoff"]);
        Assert.Equal("auto", bound.Resolved["fft"]);
        Assert.Equal(11, bound.Resolved.Count);
    }

    [Fact]
    public void Bind_UnknownKey_ListsValidKeysAndSuggests()
    {
        var (bound, problems) = Bind("runs: 3\nsigma_strat: 2\n");
        Assert.Null(bound);
        var p = Assert.Single(problems);
        Assert.Equal("f.yaml:2:1", p.Where);
        Assert.Contains("unknown option 'sigma_strat'", p.Message);
        Assert.Contains("did you mean 'sigma_start'", p.Message);
        Assert.Contains("valid: runs, sigma_start, beta, seed, verbose, operators, flavour, sizes, flavours, cutoff, fft", p.Message);
    }

    [Theory]
    [InlineData("runs: ten", "expects an integer, got 'ten'")]
    [InlineData("runs: 3000000000", "expects an integer between")]
    [InlineData("beta: fast", "expects a number")]
    [InlineData("verbose: 1", "expects true or false")]
    [InlineData("flavour: sweet", "expects one of plain, extra_spicy")]
    [InlineData("sizes: 3", "expects a list of integer")]
    [InlineData("sizes: [1, x]", "item 1: expects an integer")]
    [InlineData("runs: null", "expects integer, not null")]
    [InlineData("runs: { a: 1 }", "expects integer, got a mapping")]
    public void Bind_WrongType_IsReportedAtTheValue(string yaml, string expected)
    {
        var (bound, problems) = Bind(yaml);
        Assert.Null(bound);
        var p = Assert.Single(problems);
        Assert.Contains(expected, p.Message);
        Assert.StartsWith("f.yaml:1:", p.Where);
    }

    [Fact]
    public void Bind_RangeAndPositiveAndValidate_AreReportedWithTheirKeysAndLines()
    {
        var (bound, problems) = Bind("runs: 0\nsigma_start: -1\n");
        Assert.Null(bound);
        Assert.Equal(2, problems.Count);
        Assert.Equal("f.yaml:1:1", problems[0].Where);
        Assert.Contains("runs must be between 1 and 100", problems[0].Message);
        Assert.Equal("f.yaml:2:1", problems[1].Where);
        Assert.Contains("sigma_start must be greater than 0", problems[1].Message);

        (bound, problems) = Bind("sigma_start: 1\ncutoff: 2\n");
        Assert.Null(bound);
        var p = Assert.Single(problems);
        Assert.Equal("f.yaml:2:1", p.Where);
        Assert.Equal("option 'cutoff' of test.sample: must not exceed sigma_start", p.Message);
    }

    [Fact]
    public void Bind_SeveralProblems_AreAllReported()
    {
        var (_, problems) = Bind("runs: x\nbogus: 1\nsizes: y\n");
        Assert.Equal(3, problems.Count);
        Assert.Equal(["f.yaml:1:7", "f.yaml:2:1", "f.yaml:3:8"], problems.Select(p => p.Where));
    }

    [Fact]
    public void ParseValue_ReadsYamlScalarsAndLists()
    {
        Assert.Equal("3", Assert.IsType<YamlScalarNode>(OptionsBinder.ParseValue("3")).Value);
        Assert.Equal(2, Assert.IsType<YamlSequenceNode>(OptionsBinder.ParseValue("[1, 2]")).Children.Count);
        Assert.Equal("a: b", Assert.IsType<YamlScalarNode>(OptionsBinder.ParseValue("a: b")).Value);
    }
}
