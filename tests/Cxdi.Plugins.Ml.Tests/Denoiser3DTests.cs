using Cxdi.Plugins.Ml.Cli;
using Cxdi.Plugins.Ml.Denoising;
using Cxdi.Plugins.Ml.Simulation;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Xunit.Abstractions;

namespace Cxdi.Plugins.Ml.Tests;

public sealed class Denoiser3DTests(ITestOutputHelper output) : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("cxdi-ml3d-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void Linear3D_OnUnseenSeedsAt1e7Photons_CutsAmplitudeRmseBy40Percent()
    {
        // 64³, object 16 voxels (oversampling 4), 1e7 photons: about 38 photons per voxel on average, most voxels 0–2.
        var spec = new VolumeSpec(64, 64, 64, 16, 1e7, null);
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var model = Linear3DTraining.Train(new Linear3DPlan(spec, 3, 200_000, 2, 3), null, CancellationToken.None);
        output.WriteLine($"train {clock.Elapsed.TotalSeconds:F1} s; validation {model.Provenance["validation_rmse_reduction"]}");
        foreach (var seed in new[] { 777_001, 777_002, 777_003 })
        {
            var v = VolumeSimulator.Simulate(spec, seed);
            var denoised = model.Filter.Apply(v.Counts, v.Mask, 64, 64, 64);
            var raw = LinearFilter3D.AmplitudeRmse(v.Counts, v.Expected, v.Mask);
            var after = LinearFilter3D.AmplitudeRmse(denoised, v.Expected, v.Mask);
            output.WriteLine($"seed {seed}: raw {raw:F4} denoised {after:F4} gain {1 - (after / raw):P1}");
            Assert.InRange(raw, 0.5, 0.7);
            Assert.True(after < 0.6 * raw, $"seed {seed}: amplitude RMSE {raw:F4} → {after:F4}, only {1 - (after / raw):P1} lower");
        }
    }

    [Fact]
    public void Linear3DStep_NonCubicMaskedVolume_DenoisesMeasuredVoxelsOnly_KeepsFlags()
    {
        // A non-cubic volume with a beamstop ball and a gap plane; trained on the fly through the step.
        const int Nz = 40, Ny = 48, Nx = 56;
        var mask = new uint[Nz * Ny * Nx];
        for (var z = 0; z < Nz; z++)
        {
            for (var y = 0; y < Ny; y++)
            {
                for (var x = 0; x < Nx; x++)
                {
                    var i = (((z * Ny) + y) * Nx) + x;
                    int dz = z - (Nz / 2), dy = y - (Ny / 2), dx = x - (Nx / 2);
                    if ((dz * dz) + (dy * dy) + (dx * dx) <= 9)
                    {
                        mask[i] |= (uint)MaskFlags.Beamstop;
                    }

                    if (x is >= 40 and < 42)
                    {
                        mask[i] |= (uint)MaskFlags.Gap;
                    }
                }
            }
        }

        var truth = VolumeSimulator.Simulate(new VolumeSpec(Nz, Ny, Nx, 12, 5e6, mask), 4242);
        var input = new DiffractionData(Shape.Of(Nz, Ny, Nx), (float[])truth.Counts.Clone(), (uint[])mask.Clone());
        for (var i = 0; i < mask.Length; i++)
        {
            if (mask[i] != 0)
            {
                input.Intensity[i] = -7; // a sentinel no denoiser would write
            }
        }

        var path = Path.Combine(dir, "onthefly3d.zip");
        var options = new LinearDenoiser3DOptions { Patterns = 2, Samples = 60_000, Radius = 2, Seed = 5, SaveModel = path };
        var result = new LinearDenoiser3D().Denoise(input, options, StepContext.None);

        Assert.Equal(input.Shape, result.Shape);
        Assert.Equal(mask, result.Mask);
        var changed = 0;
        for (var i = 0; i < mask.Length; i++)
        {
            if (mask[i] != 0)
            {
                Assert.Equal(-7f, result.Intensity[i]);
            }
            else
            {
                Assert.True(result.Intensity[i] >= 0);
                changed += result.Intensity[i] != truth.Counts[i] ? 1 : 0;
            }
        }

        var raw = LinearFilter3D.AmplitudeRmse(truth.Counts, truth.Expected, mask);
        var after = LinearFilter3D.AmplitudeRmse(result.Intensity, truth.Expected, mask);
        output.WriteLine($"changed {changed}; object estimated from the autocorrelation; raw {raw:F4} denoised {after:F4} gain {1 - (after / raw):P1}");
        Assert.True(changed > mask.Length / 2);
        Assert.True(after < 0.7 * raw, $"amplitude RMSE {raw:F4} → {after:F4}");

        var findings = (Dictionary<string, object>)result.Findings[LinearDenoiser3D.Id];
        Assert.Equal("trained on the fly", findings["model"]);
        var saved = Linear3DModel.Load(path);
        var simulation = (Dictionary<string, object>)saved.Provenance["simulation"];
        Assert.Equal(40.0, simulation["nz"]);
        Assert.Equal(56.0, simulation["nx"]);
        Assert.Equal((double)mask.Count(m => m != 0), simulation["masked_voxels"]);
        Assert.InRange((double)simulation["object_size_px"], 8.0, 18.0);
    }

    [Fact]
    public void TrainTool_Dims3_WritesFilterWithProvenance_LoadsBackWithSamePredictions()
    {
        var path = Path.Combine(dir, "denoiser3d.zip");
        var text = new StringWriter();
        var code = new TrainTool().Run(new TrainOptions { Model = path, Dims = 3, Size = 32, ObjectSize = 8, Photons = 2e6, Patterns = 2, Samples = 40_000, Radius = 1, Seed = 6 }, text, StepContext.None);
        Assert.Equal(0, code);
        Assert.Contains("training a 3D denoiser", text.ToString());
        Assert.Contains("wrote", text.ToString());

        var model = Linear3DModel.Load(path);
        Assert.Equal("denoiser3d", model.Provenance["kind"]);
        Assert.Equal(LinearFilter3D.Contract, model.Provenance["feature_contract"]);
        Assert.Equal(new List<object> { 6000.0, 6001.0 }, model.Provenance["training_seeds"]);
        Assert.Equal(6999.0, model.Provenance["validation_seed"]);
        Assert.Equal(1, model.Filter.Radius);
        Assert.Equal(13 + 2, model.Filter.Width);
        var simulation = (Dictionary<string, object>)model.Provenance["simulation"];
        Assert.Equal(2e6, simulation["photons"]);
        Assert.Equal(4.0, simulation["oversampling"]);
        Assert.True(model.Provenance["validation_rmse_reduction"] is double r && r > 0.2, $"validation reduction {model.Provenance["validation_rmse_reduction"]}");

        // Retraining with the same seeds gives the same filter, bit for bit; the file predicts what memory predicts.
        var spec = new VolumeSpec(32, 32, 32, 8, 2e6, null);
        var again = Linear3DTraining.Train(new Linear3DPlan(spec, 2, 40_000, 1, 6), null, CancellationToken.None);
        for (var b = 0; b < LinearFilter3D.Bins; b++)
        {
            Assert.Equal(again.Filter.Weights[b], model.Filter.Weights[b]);
        }

        var v = VolumeSimulator.Simulate(spec, 31337);
        Assert.Equal(again.Filter.Apply(v.Counts, v.Mask, 32, 32, 32), model.Filter.Apply(v.Counts, v.Mask, 32, 32, 32));
    }

    [Fact]
    public void TreeDenoiser_3DVolume_IsRefusedEvenWithAModel_NamingTheLinear3DStep()
    {
        var data = new DiffractionData(Shape.Of(16, 16, 16), new float[16 * 16 * 16]);
        var error = Assert.Throws<WorkflowShapeException>(() => new TreeDenoiser().Denoise(data, new TreeDenoiserOptions { Model = Path.Combine(dir, "whatever.zip") }, StepContext.None));
        Assert.Contains("16x16x16", error.Message);
        Assert.Contains(LinearDenoiser3D.Id, error.Hint);

        var flat = new DiffractionData(Shape.Of(16, 16), new float[16 * 16]);
        var refused = Assert.Throws<WorkflowShapeException>(() => new LinearDenoiser3D().Denoise(flat, new LinearDenoiser3DOptions(), StepContext.None));
        Assert.Contains("cxdi.denoise.tree", refused.Hint);
    }

    [Fact]
    public void Linear3DLoad_2DModelOrGarbage_IsOneLineInputError()
    {
        var model2d = Path.Combine(dir, "denoiser2d.zip");
        new TrainTool().Run(new TrainOptions { Model = model2d, Size = 32, ObjectSize = 8, Photons = 1e6, Patterns = 1, Samples = 500, Trees = 2, Leaves = 4 }, TextWriter.Null, StepContext.None);
        var error = Assert.Throws<InvalidInputException>(() => Linear3DModel.Load(model2d));
        Assert.Contains("2D denoiser model", error.Message);
        Assert.Contains("--dims 3", error.Hint);

        var garbage = Path.Combine(dir, "garbage.zip");
        File.WriteAllText(garbage, "not a zip");
        var broken = Assert.Throws<InvalidInputException>(() => Linear3DModel.Load(garbage));
        Assert.DoesNotContain('\n', broken.Message);
        Assert.Throws<InvalidInputException>(() => Linear3DModel.Load(Path.Combine(dir, "missing.zip")));

        var wrongKind = Assert.Throws<InvalidInputException>(() => new TrainTool().Run(new TrainOptions { Model = Path.Combine(dir, "x.zip"), Kind = ModelKind.Support, Dims = 3, Size = 32 }, TextWriter.Null, StepContext.None));
        Assert.Contains("2D only", wrongKind.Message);
    }
}
