using Cxdi.Plugins.Ml.Denoising;
using Cxdi.Plugins.Ml.Models;
using Cxdi.Plugins.Ml.Numerics;
using Cxdi.Plugins.Ml.Simulation;
using Cxdi.Plugins.Ml.Support;
using Microsoft.ML;
using Xunit.Abstractions;

namespace Cxdi.Plugins.Ml.Tests;

public sealed class SupportTests(ITestOutputHelper output)
{
    [Fact]
    public void SupportProposal_OnUnseenObjects_BeatsThresholdedAutocorrelationIoU()
    {
        var spec = new SimulationSpec(128, 128, 30, 1e7, null);
        var plan = new TrainingPlan(spec, 8, 40_000, 60, 31, 5);
        var ml = new MLContext(5);
        var model = SupportTraining.Train(ml, plan, null, CancellationToken.None);
        var ious = new List<double>();
        foreach (var seed in new[] { 888_001, 888_002, 888_003, 888_004 })
        {
            var p = PatternSimulator.Simulate(spec, seed);
            var proposed = SupportTraining.Propose(ml, model.Model, p.Counts, p.Mask, 128, 128, 0.5);
            var ac = Autocorrelation.Blur(Autocorrelation.Compute(p.Counts, p.Mask, 128, 128), 128, 128, 1);
            var max = ac.Max();
            var baseline = ac.Select(v => v > 0.1 * max ? (byte)1 : (byte)0).ToArray();
            var iou = SupportTraining.IoU(proposed, p.Support);
            var iouBase = SupportTraining.IoU(baseline, p.Support);
            output.WriteLine($"seed {seed}: IoU ML {iou:F3}, thresholded autocorrelation {iouBase:F3}");
            ious.Add(iou);
            Assert.True(iou > iouBase + 0.2, $"IoU {iou:F3} not clearly above the autocorrelation's {iouBase:F3}");
        }

        ious.Sort();
        Assert.True(ious[ious.Count / 2] >= 0.8, $"median IoU {ious[ious.Count / 2]:F3} below 0.8");
    }
}
