using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Phasing;
using Cxdi.Sdk.Plugins;
using Cxdi.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Cxdi.Sdk.Tests;

public sealed class OperatorRegistryTests
{
    private static readonly OperatorRegistry Registry = OperatorRegistry.FromModules(new TestModule());

    [Fact]
    public void FromModules_ListsTheRegisteredOperators_WithParametersDefaultsAndRanges()
    {
        Assert.Equal(["Gain", "Flip", "Step"], Registry.Operators.Select(o => o.Name));
        var gain = Registry.Find("gain")!;
        Assert.Equal("Multiplies the object.", gain.Description);
        Assert.Equal(["factor", "times", "conjugate"], gain.Parameters.Select(p => p.Name));
        Assert.Equal(1.5f, gain.Parameters[0].Default);
        Assert.Equal((0.0, 10.0), (gain.Parameters[0].Minimum!.Value, gain.Parameters[0].Maximum!.Value));
        Assert.Equal(typeof(int), gain.Parameters[1].Type);
        Assert.Equal(1, Registry.Find("STEP")!.Cycles);
        Assert.Null(Registry.Find("HIO"));
    }

    [Fact]
    public void Parse_NamedPositionalAndDefaultParameters()
    {
        var named = Assert.IsType<Gain>(Registry.Parse("Gain(times=3, factor=0.5, conjugate=true)"));
        Assert.Equal((0.5f, 3, true), (named.Factor, named.Times, named.Conjugate));
        Assert.Equal("Gain", named.Name);
        var positional = Assert.IsType<Gain>(Registry.Parse("gain(2.5)"));
        Assert.Equal((2.5f, 1, false), (positional.Factor, positional.Times, positional.Conjugate));
        var defaulted = Assert.IsType<Gain>(Registry.Parse("Gain", new Dictionary<string, object> { ["Gain.factor"] = 4f, ["Gain.times"] = 2 }));
        Assert.Equal((4f, 2), (defaulted.Factor, defaulted.Times));
        var overridden = Assert.IsType<Gain>(Registry.Parse("Gain(factor=3)", new Dictionary<string, object> { ["Gain.factor"] = 4f }));
        Assert.Equal(3f, overridden.Factor);
        var program = Registry.Parse("Flip * (Gain(2)**2 * Step)**3");
        Assert.Equal(3, program.Cycles);
        Assert.Equal("Flip * (Gain**2 * Step)**3", program.ToString());
    }

    [Theory]
    [InlineData("Gain(fctor=2)", 5, "a parameter of Gain (factor, times, conjugate), not 'fctor'")]
    [InlineData("Gain(factor=11)", 12, "a number between 0 and 10 for Gain factor")]
    [InlineData("Gain(times=1.5)", 11, "an integer")]
    [InlineData("Gain(conjugate=yes)", 15, "true or false")]
    [InlineData("Gain(factor=1, factor=2)", 15, "given twice")]
    [InlineData("Gain(times=2, 3)", 14, "a named parameter")]
    [InlineData("Flip(1)", 5, "Flip takes no parameters")]
    [InlineData("Gain(1", 6, "',' or ')'")]
    [InlineData("Gian**2", 0, "an operator (Gain, Flip, Step), not 'Gian'")]
    public void Parse_BadParameters_GiveThePositionAndWhatWasExpected(string text, int position, string expected)
    {
        var e = Assert.Throws<OperatorSyntaxException>(() => Registry.Parse(text, option: "ops"));
        Assert.Equal(position, e.Position);
        Assert.Contains(expected, e.Expected, StringComparison.Ordinal);
        Assert.StartsWith("ops: cannot parse", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Registry_RefusesDuplicateAndInvalidNamesAndTypes()
    {
        Assert.Throws<ArgumentException>(() => new OperatorRegistry([new OperatorRegistration("Gain", typeof(Gain)), new OperatorRegistration("GAIN", typeof(Flip))]));
        Assert.Throws<ArgumentException>(() => new OperatorRegistry([new OperatorRegistration("2x", typeof(Gain))]));
        Assert.Throws<ArgumentException>(() => new OperatorRegistry([new OperatorRegistration("Text", typeof(string))]));
        Assert.Throws<ArgumentException>(() => new OperatorRegistry([new OperatorRegistration("Bad", typeof(BadParameter))]));
        Assert.Throws<ArgumentException>(() => new ServiceCollection().AddPhasingOperator<Gain>("a-b"));
    }

    [Fact]
    public void ParsedProgram_RunsOnABackendThatImplementsOnlyTheCore()
    {
        using var backend = new CoreOnlyBackend();
        var shape = Shape.Of(4, 6);
        using var state = new PhasingState(backend, shape);
        var values = Enumerable.Range(0, 24).Select(i => new Complex32(i, 1)).ToArray();
        backend.Upload(values, state.Object);
        Registry.Parse("Flip * Gain(factor=2, times=3)**2").Apply(state);
        var result = state.DownloadObject();
        for (var i = 0; i < values.Length; i++)
        {
            Assert.Equal(new Complex32(64 * i, 64), result[i]);
        }
    }

    /// <summary>Multiplies the object by factor, times times (conjugating it when asked).</summary>
    [Description("Multiplies the object.")]
    public sealed class Gain : PhasingOperator
    {
        [OperatorParameter("Factor applied each time.")]
        [Range(0.0, 10.0)]
        public float Factor { get; set; } = 1.5f;

        [OperatorParameter("How many times.")]
        public int Times { get; set; } = 1;

        [OperatorParameter("Conjugate after scaling.")]
        public bool Conjugate { get; set; }

        public override void Apply(PhasingState state)
        {
            for (var i = 0; i < Times; i++)
            {
                state.Backend.Scale(state.Object, Factor);
            }

            if (Conjugate)
            {
                throw new InvalidOperationException("not used in these tests");
            }
        }
    }

    /// <summary>Forward then inverse FFT: the identity up to round-off.</summary>
    public sealed class Flip : PhasingOperator
    {
        public override void Apply(PhasingState state)
        {
            state.Backend.Fft(state.Plan, state.Object, Compute.FftDirection.Forward);
            state.Backend.Fft(state.Plan, state.Object, Compute.FftDirection.Inverse);
            var values = state.DownloadObject().Select(z => new Complex32(MathF.Round(z.Re, 3), MathF.Round(z.Im, 3))).ToArray();
            state.Backend.Upload(values, state.Object);
        }
    }

    /// <summary>A projection cycle that keeps P_M ψ.</summary>
    public sealed class Step : ProjectionCycleOperator
    {
        protected override void Update(PhasingState state) => state.PreviousValid = false;
    }

    public sealed class BadParameter : PhasingOperator
    {
        [OperatorParameter("A string cannot be a parameter.")]
        public string Label { get; set; } = "";

        public override void Apply(PhasingState state)
        {
        }
    }

    private sealed class TestModule : ICxdiPluginModule
    {
        public void Configure(IServiceCollection services) =>
            services.AddPhasingOperator<Gain>("Gain").AddPhasingOperator<Flip>("Flip").AddPhasingOperator<Step>("Step");
    }
}
