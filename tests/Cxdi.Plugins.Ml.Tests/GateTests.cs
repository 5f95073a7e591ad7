using Cxdi.Plugins.Ml.Gate;
using Cxdi.Plugins.Ml.Simulation;
using Cxdi.Sdk.Compute;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Cxdi.Sdk.Plugins;
using Cxdi.Sdk.Roles;
using Xunit.Abstractions;

namespace Cxdi.Plugins.Ml.Tests;

public sealed class GateTests(ITestOutputHelper output)
{
    private const int N = 64;

    [Fact]
    public void HoldOut_PicksAboutFivePercentOfMeasuredPixelsInFriedelPairedIslandsAwayFromTheCentre()
    {
        var mask = new uint[N * N];
        for (var y = 28; y < 36; y++)
        {
            for (var x = 0; x < N; x++)
            {
                mask[(y * N) + x] = (uint)MaskFlags.Gap;
            }
        }

        var held = FreeLikelihood.HoldOut(mask, N, N, 0.05, 7, 6);
        var measured = mask.Count(m => m == 0);
        var count = held.Count(h => h);
        Assert.InRange(count / (double)measured, 0.045, 0.06);
        for (var i = 0; i < held.Length; i++)
        {
            if (!held[i])
            {
                continue;
            }

            int y = i / N, x = i % N;
            Assert.Equal(0u, mask[i]);
            Assert.True(Math.Sqrt(((y - 32) * (y - 32)) + ((x - 32) * (x - 32))) >= 6);
            Assert.True(held[((64 - y) * N) + (64 - x)], $"Friedel mate of ({y}, {x}) not held out");
        }

        Assert.Equal(held, FreeLikelihood.HoldOut(mask, N, N, 0.05, 7, 6));
    }

    [Fact]
    public void Score_OnRawCounts_TheTrueObjectBeatsAWrongOneAndANoisyOne()
    {
        var (truth, counts) = Simulate(11, 1e6);
        var mask = new uint[N * N];
        var held = FreeLikelihood.HoldOut(mask, N, N, 0.05, 3, 3);
        var wrong = ToComplex(PatternSimulator.RandomObject(N, 16, new Random(99)));
        var noisy = truth.Select((v, i) => v.Re == 0 ? v : new Complex32(v.Re * (float)(1 + (0.3 * Math.Sin(i * 0.7))), 0)).ToArray();
        var good = FreeLikelihood.Score(counts, mask, held, FreeLikelihood.ModelIntensity(truth, N, N, N, N));
        var bad = FreeLikelihood.Score(counts, mask, held, FreeLikelihood.ModelIntensity(wrong, N, N, N, N));
        var worse = FreeLikelihood.Score(counts, mask, held, FreeLikelihood.ModelIntensity(noisy, N, N, N, N));
        output.WriteLine($"free LLK: truth {good:F4}, 30 % textured error {worse:F4}, another object {bad:F4}");
        Assert.True(good < worse && good < bad);

        // Translation, a global phase and the twin image give the same |FT|²: same score.
        var shifted = new Complex32[N * N];
        for (var i = 0; i < N * N; i++)
        {
            int y = i / N, x = i % N;
            var v = truth[(((y + 3) % N) * N) + ((x + 60) % N)];
            shifted[i] = new Complex32(-v.Re, 0);
        }

        Assert.Equal(good, FreeLikelihood.Score(counts, mask, held, FreeLikelihood.ModelIntensity(shifted, N, N, N, N)), 6);
    }

    [Fact]
    public void LogFactorial_MatchesTheExactSumAndIsSmoothForFractionalCounts()
    {
        double exact = 0;
        for (var k = 1; k <= 40; k++)
        {
            exact += Math.Log(k);
            Assert.Equal(exact, FreeLikelihood.LogFactorial(k), 8);
        }

        Assert.Equal(Math.Log(Math.Sqrt(Math.PI) / 2), FreeLikelihood.LogFactorial(0.5), 8);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Gate_KeepsTheVariantWhosePhasingFitsTheHeldOutRawCounts(bool mlHelps)
    {
        var (truth, counts) = Simulate(21, 1e6);
        var wrong = ToComplex(PatternSimulator.RandomObject(N, 16, new Random(5)));
        var data = new DiffractionData(Shape.Of(N, N), counts);
        var phaser = new StubPhaser(denoised => denoised == mlHelps ? truth : wrong);
        var resolver = new StubResolver(phaser);
        var options = new GatedPhaserOptions { Phaser = "stub.phase", MlStep = "stub.denoise", GateSeeds = 3, Runs = 8, Keep = 4, Seed = 42, Operators = "ER**10", PhaserOptions = ["support_threshold = 0.25"] };
        var reports = new List<ProgressReport>();
        var context = new StepContext { Plugins = resolver, StepId = "gate", Progress = new SyncProgress(reports) };

        var result = new GatedPhaser().Reconstruct(data, options, context);

        var findings = Assert.IsType<Dictionary<string, object>>(result.Findings["cxdi.phase.gated"]);
        var raw = (double)findings["raw_free_llk"];
        var ml = (double)findings["ml_free_llk"];
        output.WriteLine($"ML helps: {mlHelps}; free LLK raw {raw:F4}, ml {ml:F4}; decision {findings["decision"]}; held out {findings["held_out_pixels"]}");
        Assert.Equal(mlHelps ? "stub.denoise" : "raw", findings["decision"]);
        Assert.Equal(mlHelps, ml < raw);
        Assert.InRange((long)findings["held_out_pixels"], (long)(0.045 * N * N), (long)(0.06 * N * N));

        // Gate runs: both variants with the same seed, gate_seeds runs, held-out pixels flagged; then the full run unflagged.
        Assert.Equal(3, phaser.Calls.Count);
        Assert.All(phaser.Calls.Take(2), c => Assert.Equal((3, 3, 42L, "ER**10"), (c.Options.Runs, c.Options.Keep, c.Options.Seed, c.Options.Operators)));
        Assert.False(phaser.Calls[0].Denoised);
        Assert.True(phaser.Calls[1].Denoised);
        Assert.All(phaser.Calls.Take(2), c => Assert.Equal((long)findings["held_out_pixels"], c.Unknown));
        var last = phaser.Calls[2];
        Assert.Equal((8, 4, mlHelps, 0L), (last.Options.Runs, last.Options.Keep, last.Denoised, last.Unknown));
        Assert.All(phaser.Calls, c => Assert.Equal("0.25", c.Options.SupportThreshold)); // phaser_options reach every call
        Assert.Contains(reports, r => r.Message.Contains("keeping", StringComparison.Ordinal));
    }

    [Fact]
    public void Gate_ScoresTheMedianRunSoOneStagnatedRunInTheAverageDoesNotDecide()
    {
        var (truth, counts) = Simulate(31, 1e6);
        var wrong = ToComplex(PatternSimulator.RandomObject(N, 16, new Random(8)));
        var noisy = truth.Select((v, i) => v.Re == 0 ? v : new Complex32(v.Re * (float)(1 + (0.3 * Math.Sin(i * 0.7))), 0)).ToArray();
        var data = new DiffractionData(Shape.Of(N, N), counts);

        // Raw: every run and the average are the 30 %-wrong object. ML: the average is spoilt by a stagnated run, two of three runs are right.
        var phaser = new StubPhaser(_ => noisy, denoised => denoised
            ? [new Reconstruction { Index = 0, Object = wrong, State = RunState.Kept }, new Reconstruction { Index = 1, Object = truth, State = RunState.Kept }, new Reconstruction { Index = 2, Object = truth, State = RunState.Rejected }]
            : [new Reconstruction { Index = 0, Object = noisy, State = RunState.Kept }], denoised => denoised ? wrong : noisy);
        var context = new StepContext { Plugins = new StubResolver(phaser), StepId = "gate" };
        var options = new GatedPhaserOptions { Phaser = "stub.phase", MlStep = "stub.denoise", GateSeeds = 3 };

        var (decision, held) = GatedPhaser.Gate(data, options, context, context.Plugins);

        var truthScore = FreeLikelihood.Score(counts, data.Mask, held, FreeLikelihood.ModelIntensity(truth, N, N, N, N));
        output.WriteLine($"raw {decision.RawFreeLlk:F4}, ml {decision.MlFreeLlk:F4} (truth alone {truthScore:F4})");
        Assert.True(decision.KeepMl);
        Assert.Equal(truthScore, decision.MlFreeLlk, 9);
    }

    [Fact]
    public void Median_OfOddAndEvenCounts()
    {
        Assert.Equal(2.0, GatedPhaser.Median([3.0, 1.0, 2.0]));
        Assert.Equal(2.5, GatedPhaser.Median([4.0, 1.0, 2.0, 3.0]));
        Assert.Equal(double.PositiveInfinity, GatedPhaser.Median([]));
    }

    private static (Complex32[] Truth, float[] Counts) Simulate(int seed, double photons)
    {
        var random = new Random(seed);
        var truth = ToComplex(PatternSimulator.RandomObject(N, 16, random));
        var expected = FreeLikelihood.ModelIntensity(truth, N, N, N, N);
        var scale = photons / expected.Sum();
        var counts = expected.Select(v => Poisson.Sample(random, v * scale)).ToArray();
        return (truth, counts);
    }

    private static Complex32[] ToComplex(double[] values) => values.Select(v => new Complex32((float)v, 0)).ToArray();

    [Fact]
    public void PhaserOptions_MustBeNameEqualsValue_AndNotShadowTheGatesOwn()
    {
        Assert.Empty(new GatedPhaserOptions { PhaserOptions = ["support_threshold=0.25", "support_threshold_reference=rms"] }.Validate());
        var problems = new GatedPhaserOptions { PhaserOptions = ["support_threshold", "runs=4", "=1"] }.Validate().ToList();
        Assert.Equal(3, problems.Count);
        Assert.All(problems, p => Assert.Equal(nameof(GatedPhaserOptions.PhaserOptions), p.Key));
        Assert.Contains(problems, p => p.Message.Contains("gate's own option runs", StringComparison.Ordinal));
    }

    private sealed class SyncProgress(List<ProgressReport> reports) : IProgress<ProgressReport>
    {
        public void Report(ProgressReport value) => reports.Add(value);
    }

    private sealed record StubPhaseOptions : PluginOptions
    {
        public int Runs { get; init; } = 10;

        public int Keep { get; init; } = 5;

        public long Seed { get; init; } = 1;

        public string Operators { get; init; } = "default";

        public string SupportThreshold { get; init; } = "default";
    }

    private sealed record StubDenoiseOptions : PluginOptions
    {
        public string Model { get; init; } = "";
    }

    /// <summary>Returns a known object (its choice depends on whether the stub denoiser touched the data) and records every call.</summary>
    private sealed class StubPhaser(Func<bool, Complex32[]> pick, Func<bool, List<Reconstruction>>? runs = null, Func<bool, Complex32[]>? average = null) : PhaserBase<StubPhaseOptions>
    {
        public List<(StubPhaseOptions Options, bool Denoised, long Unknown)> Calls { get; } = [];

        protected override ReconstructionSet Reconstruct(DiffractionData data, StubPhaseOptions options, StepContext context)
        {
            var denoised = data.Metadata.ContainsKey("stub.denoised");
            Calls.Add((options, denoised, data.Mask.LongCount(m => (m & (uint)MaskFlags.Unknown) != 0)));
            return new ReconstructionSet { Shape = data.Shape, Average = (average ?? pick)(denoised), Runs = runs?.Invoke(denoised) ?? [], Data = data };
        }
    }

    private sealed class StubDenoiser : DenoiserBase<StubDenoiseOptions>
    {
        protected override DiffractionData Denoise(DiffractionData input, StubDenoiseOptions options, StepContext context)
        {
            var output = input.Clone();
            output.Metadata["stub.denoised"] = true;
            return output;
        }
    }

    private sealed class StubResolver(StubPhaser phaser) : IPluginResolver
    {
        public (T Plugin, PluginOptions Options) Resolve<T>(string id, IReadOnlyDictionary<string, object?>? options = null)
            where T : class, IPlugin
        {
            var values = options ?? new Dictionary<string, object?>();
            object? Get(string key) => values.TryGetValue(key, out var v) ? v : null;
            return id switch
            {
                "stub.phase" => ((T)(IPlugin)phaser, new StubPhaseOptions
                {
                    Runs = Get("runs") is int r ? r : 10,
                    Keep = Get("keep") is int k ? k : 5,
                    Seed = Get("seed") is long s ? s : 1,
                    Operators = Get("operators") as string ?? "default",
                    SupportThreshold = Get("support_threshold") as string ?? "default",
                }),
                "stub.denoise" => ((T)(IPlugin)new StubDenoiser(), new StubDenoiseOptions { Model = Get("model") as string ?? "" }),
                _ => throw new Cxdi.Sdk.Errors.PluginNotFoundException(id, $"unknown plugin {id}"),
            };
        }

        public IComputeBackend CreateBackend(string? id = null) => throw new NotSupportedException();
    }
}
