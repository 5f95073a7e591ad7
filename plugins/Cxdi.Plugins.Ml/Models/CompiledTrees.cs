using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Cxdi.Plugins.Ml.Models;

/// <summary>
/// A FastTree regression ensemble copied into flat arrays and evaluated in plain C# over many threads: the same sums as
/// ML.NET's scorer (Σ weight·leaf + bias, a split goes left when the feature is ≤ its threshold) without the per-row
/// IDataView overhead. Only numerical splits are supported; other models fall back to ML.NET.
/// </summary>
internal sealed class CompiledTrees
{
    private readonly int[][] left;
    private readonly int[][] right;
    private readonly int[][] feature;
    private readonly float[][] threshold;
    private readonly double[][] leaf;
    private readonly double[] weight;
    private readonly double bias;

    private CompiledTrees(RegressionTreeEnsemble ensemble)
    {
        var trees = ensemble.Trees;
        left = trees.Select(t => t.LeftChild.ToArray()).ToArray();
        right = trees.Select(t => t.RightChild.ToArray()).ToArray();
        feature = trees.Select(t => t.NumericalSplitFeatureIndexes.ToArray()).ToArray();
        threshold = trees.Select(t => t.NumericalSplitThresholds.ToArray()).ToArray();
        leaf = trees.Select(t => t.LeafValues.ToArray()).ToArray();
        weight = ensemble.TreeWeights.ToArray();
        bias = ensemble.Bias;
    }

    /// <summary>The compiled ensemble of a FastTree regression model (alone or last in a chain), or null for anything else.</summary>
    public static CompiledTrees? TryCompile(ITransformer model)
    {
        var last = model is TransformerChain<ITransformer> chain ? chain.LastTransformer : model;
        if (last is not ISingleFeaturePredictionTransformer<object> predictor || predictor.Model is not FastTreeRegressionModelParameters parameters)
        {
            return null;
        }

        var ensemble = parameters.TrainedTreeEnsemble;
        if (ensemble.Trees.Any(t => t.CategoricalSplitFlags.Any(f => f)))
        {
            return null;
        }

        return new CompiledTrees(ensemble);
    }

    /// <summary>The score of one feature row.</summary>
    public float Score(ReadOnlySpan<float> row)
    {
        var sum = bias;
        for (var t = 0; t < leaf.Length; t++)
        {
            var l = left[t];
            var r = right[t];
            var f = feature[t];
            var th = threshold[t];
            var node = l.Length == 0 ? -1 : 0;
            while (node >= 0)
            {
                node = row[f[node]] <= th[node] ? l[node] : r[node];
            }

            sum += weight[t] * leaf[t][~node];
        }

        return (float)sum;
    }

    /// <summary>Scores every row of <paramref name="table"/>, rows in parallel.</summary>
    public float[] Score(FeatureTable table)
    {
        var result = new float[table.Count];
        var width = table.Width;
        Parallel.For(0, (table.Count + 4095) / 4096, block =>
        {
            var end = Math.Min(table.Count, (block + 1) * 4096);
            for (var i = block * 4096; i < end; i++)
            {
                result[i] = Score(table.Features.AsSpan(i * width, width));
            }
        });
        return result;
    }
}
