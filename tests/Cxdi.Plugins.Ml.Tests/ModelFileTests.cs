using Cxdi.Plugins.Ml.Cli;
using Cxdi.Plugins.Ml.Denoising;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Plugins.Ml.Simulation;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Errors;
using Cxdi.Sdk.Execution;
using Microsoft.ML;

namespace Cxdi.Plugins.Ml.Tests;

public sealed class ModelFileTests : IDisposable
{
    private readonly string dir = Directory.CreateTempSubdirectory("cxdi-ml-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void TrainTool_WritesModel_LoadsBackWithProvenanceAndSamePredictions()
    {
        var path = Path.Combine(dir, "denoiser.zip");
        var text = new StringWriter();
        var code = new TrainTool().Run(new TrainOptions { Model = path, Size = 64, ObjectSize = 16, Photons = 1e6, Patterns = 2, Samples = 3000, Trees = 10, Leaves = 8, Seed = 4 }, text, StepContext.None);
        Assert.Equal(0, code);
        Assert.Contains("%", text.ToString());
        Assert.Contains("wrote", text.ToString());

        var ml = new MLContext(4);
        var model = ModelFile.Load(ml, path, "denoiser");
        Assert.Equal("denoiser", model.Provenance["kind"]);
        Assert.Equal(ModelFile.MlNetVersion, model.Provenance["mlnet_version"]);
        Assert.Equal(PatchFeatures.Contract, model.Provenance["feature_contract"]);
        Assert.Equal(new List<object> { 4000.0, 4001.0 }, model.Provenance["training_seeds"]);
        Assert.Equal(4999.0, model.Provenance["validation_seed"]);
        Assert.True(model.Provenance["validation_amplitude_rmse_raw"] is double raw && raw > 0);
        var simulation = (Dictionary<string, object>)model.Provenance["simulation"];
        Assert.Equal(1e6, simulation["photons"]);
        Assert.Equal(4.0, simulation["oversampling"]);

        // The loaded model predicts what a fresh training with the same seeds predicts.
        var spec = new SimulationSpec(64, 64, 16, 1e6, null);
        var again = DenoiserTraining.Train(new MLContext(4), new TrainingPlan(spec, 2, 3000, 10, 8, 4), null, CancellationToken.None);
        var p = PatternSimulator.Simulate(spec, 31337);
        var a = DenoiserTraining.Apply(ml, model.Model, p.Counts, p.Mask, 64, 64);
        var b = DenoiserTraining.Apply(ml, again.Model, p.Counts, p.Mask, 64, 64);
        for (var i = 0; i < a.Length; i++)
        {
            Assert.Equal(b[i], a[i], 1e-4f);
        }
    }

    [Fact]
    public void CompiledTrees_OfTrainedAndLoadedModel_MatchMlNetScorer()
    {
        var spec = new SimulationSpec(64, 64, 16, 1e6, null);
        var ml = new MLContext(2);
        var model = DenoiserTraining.Train(ml, new TrainingPlan(spec, 2, 3000, 15, 8, 2), null, CancellationToken.None);
        var path = Path.Combine(dir, "c.zip");
        model.Save(ml, path);
        var loaded = ModelFile.Load(ml, path, "denoiser");
        var p = PatternSimulator.Simulate(spec, 5150);
        var (table, _) = PatchFeatures.AllMeasured(p.Counts, p.Mask, 64, 64);
        var reference = Trees.ScoreWithMlNet(ml, model.Model, table, probability: false);
        foreach (var m in new[] { model.Model, loaded.Model })
        {
            var compiled = CompiledTrees.TryCompile(m);
            Assert.NotNull(compiled);
            var scores = compiled!.Score(table);
            for (var i = 0; i < scores.Length; i++)
            {
                Assert.Equal(reference[i], scores[i], 1e-4f);
            }
        }
    }

    [Theory]
    [InlineData("garbage")]
    [InlineData("zip-without-model")]
    [InlineData("missing")]
    public void Load_BadModelFile_IsOneLineInputError(string what)
    {
        var path = Path.Combine(dir, what + ".zip");
        if (what == "garbage")
        {
            File.WriteAllText(path, "not a zip\nat all");
        }
        else if (what == "zip-without-model")
        {
            using var zip = System.IO.Compression.ZipFile.Open(path, System.IO.Compression.ZipArchiveMode.Create);
            zip.CreateEntry("readme.txt");
        }

        var e = Assert.Throws<InvalidInputException>(() => ModelFile.Load(new MLContext(1), path, "denoiser"));
        Assert.DoesNotContain('\n', e.OneLine);
        Assert.StartsWith(path, e.Message);
        Assert.True(e.IsInputError);
    }

    [Fact]
    public void Load_ModelOfAnotherKind_SaysWhichKind()
    {
        var path = Path.Combine(dir, "support.zip");
        new TrainTool().Run(new TrainOptions { Kind = ModelKind.Support, Model = path, Size = 64, ObjectSize = 16, Patterns = 2, Samples = 2000, Trees = 5, Leaves = 4 }, TextWriter.Null, StepContext.None);
        var e = Assert.Throws<InvalidInputException>(() => ModelFile.Load(new MLContext(1), path, "denoiser"));
        Assert.Contains("is a support model, not a denoiser model", e.Message);
    }

    [Fact]
    public void DenoiseStep_MaskedPixelsUntouched_MeasuredChanged()
    {
        const int n = 64;
        var mask = TestMasks.BeamstopAndGap(n, n, 3);
        var p = PatternSimulator.Simulate(new SimulationSpec(n, n, 16, 1e6, mask), 2024);
        var counts = (float[])p.Counts.Clone();
        for (var i = 0; i < counts.Length; i++)
        {
            counts[i] = mask[i] != 0 ? -7 : counts[i];
        }

        var data = new DiffractionData(Shape.Of(n, n), counts, (uint[])mask.Clone());
        var result = new TreeDenoiser().Denoise(data, new TreeDenoiserOptions { Patterns = 2, Samples = 3000, Trees = 10, Leaves = 8 }, StepContext.None);
        Assert.Equal(mask, result.Mask);
        var changed = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            if (mask[i] != 0)
            {
                Assert.Equal(-7f, result.Intensity[i]);
            }
            else if (result.Intensity[i] != counts[i])
            {
                changed++;
            }
        }

        Assert.True(changed > counts.Length / 2, $"only {changed} measured pixels changed");
        Assert.True(result.Findings.ContainsKey("cxdi.denoise.tree"));
    }
}
