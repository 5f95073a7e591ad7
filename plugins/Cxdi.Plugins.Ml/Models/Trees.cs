using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers.FastTree;

namespace Cxdi.Plugins.Ml.Models;

/// <summary>A feature table: <see cref="Count"/> rows of <see cref="Width"/> floats, with labels for training.</summary>
internal sealed class FeatureTable(int width, int capacity)
{
    private float[] features = new float[width * Math.Max(1, capacity)];
    private float[] labels = new float[Math.Max(1, capacity)];

    /// <summary>Features per row.</summary>
    public int Width { get; } = width;

    /// <summary>Rows held.</summary>
    public int Count { get; private set; }

    /// <summary>Row-major features.</summary>
    public float[] Features => features;

    /// <summary>Labels.</summary>
    public float[] Labels => labels;

    /// <summary>Appends a row and returns the span to fill with its features.</summary>
    public Span<float> Add(float label)
    {
        if (Count == labels.Length)
        {
            Array.Resize(ref labels, labels.Length * 2);
            Array.Resize(ref features, features.Length * 2);
        }

        labels[Count] = label;
        return features.AsSpan(Count++ * Width, Width);
    }
}

/// <summary>One row as ML.NET sees it.</summary>
internal sealed class FeatureRow
{
    /// <summary>Label (regression target or 0/1 class).</summary>
    public float Label { get; set; }

    /// <summary>Feature vector.</summary>
    public float[] Features { get; set; } = [];
}

/// <summary>A row with features only (what a scoring-time model, e.g. an ONNX export, takes).</summary>
internal sealed class FeatureOnlyRow
{
    /// <summary>Feature vector.</summary>
    public float[] Features { get; set; } = [];
}

/// <summary>Training and bulk scoring of FastTree models on a <see cref="FeatureTable"/>.</summary>
internal static class Trees
{
    /// <summary>The table as an ML.NET data view with a fixed-size feature vector.</summary>
    public static IDataView ToDataView(MLContext ml, FeatureTable table)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, table.Width);
        var rows = Enumerable.Range(0, table.Count).Select(i => new FeatureRow
        {
            Label = table.Labels[i],
            Features = table.Features.AsSpan(i * table.Width, table.Width).ToArray(),
        });
        return ml.Data.LoadFromEnumerable(rows, schema);
    }

    /// <summary>An empty-label view of <paramref name="width"/>-float feature rows (one zero row), for exporting a scoring graph.</summary>
    public static IDataView FeaturesOnly(MLContext ml, int width)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureOnlyRow));
        schema[nameof(FeatureOnlyRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, width);
        return ml.Data.LoadFromEnumerable([new FeatureOnlyRow { Features = new float[width] }], schema);
    }

    /// <summary>Trains a FastTree regressor.</summary>
    public static ITransformer Regression(MLContext ml, IDataView data, int trees, int leaves, int minLeaf) =>
        ml.Regression.Trainers.FastTree(new FastTreeRegressionTrainer.Options
        {
            NumberOfTrees = trees,
            NumberOfLeaves = leaves,
            MinimumExampleCountPerLeaf = minLeaf,
            LearningRate = 0.2,
            FeatureColumnName = nameof(FeatureRow.Features),
            LabelColumnName = nameof(FeatureRow.Label),
        }).Fit(data);

    /// <summary>Trains a FastTree binary classifier (the label is converted to boolean first).</summary>
    public static ITransformer Binary(MLContext ml, IDataView data, int trees, int leaves, int minLeaf)
    {
        var pipeline = ml.Transforms.Conversion.ConvertType("Label", "Label", DataKind.Boolean)
            .Append(ml.BinaryClassification.Trainers.FastTree(new FastTreeBinaryTrainer.Options
            {
                NumberOfTrees = trees,
                NumberOfLeaves = leaves,
                MinimumExampleCountPerLeaf = minLeaf,
                LearningRate = 0.2,
                FeatureColumnName = nameof(FeatureRow.Features),
                LabelColumnName = nameof(FeatureRow.Label),
            }));
        return pipeline.Fit(data);
    }

    /// <summary>Scores every row through ML.NET's own scorer (no compiled shortcut), for checks.</summary>
    public static float[] ScoreWithMlNet(MLContext ml, ITransformer model, FeatureTable table, bool probability) => ScoreCore(ml, model, table, probability);

    /// <summary>Scores every row of <paramref name="table"/>: the regression score (a FastTree regressor compiled to C#), or the probability of class 1.</summary>
    public static float[] Score(MLContext ml, ITransformer model, FeatureTable table, bool probability)
    {
        var result = new float[table.Count];
        if (table.Count == 0)
        {
            return result;
        }

        if (!probability && CompiledTrees.TryCompile(model) is { } compiled)
        {
            return compiled.Score(table);
        }

        return ScoreCore(ml, model, table, probability);
    }

    private static float[] ScoreCore(MLContext ml, ITransformer model, FeatureTable table, bool probability)
    {
        var result = new float[table.Count];
        if (table.Count == 0)
        {
            return result;
        }

        // Two halves scored in parallel: each cursor is single-threaded.
        var parts = table.Count < 20000 ? 1 : Math.Max(1, Math.Min(Environment.ProcessorCount, 4));
        var chunk = (table.Count + parts - 1) / parts;
        Parallel.For(0, parts, p =>
        {
            var start = p * chunk;
            var end = Math.Min(table.Count, start + chunk);
            if (start >= end)
            {
                return;
            }

            var schema = SchemaDefinition.Create(typeof(FeatureRow));
            schema[nameof(FeatureRow.Features)].ColumnType = new VectorDataViewType(NumberDataViewType.Single, table.Width);
            var rows = Enumerable.Range(start, end - start).Select(i => new FeatureRow
            {
                Features = table.Features.AsSpan(i * table.Width, table.Width).ToArray(),
            });
            var scored = model.Transform(ml.Data.LoadFromEnumerable(rows, schema));
            var column = scored.Schema[probability ? "Probability" : "Score"];
            using var cursor = scored.GetRowCursor([column]);
            var getter = cursor.GetGetter<float>(column);
            var i = start;
            float value = 0;
            while (cursor.MoveNext())
            {
                getter(ref value);
                result[i++] = value;
            }
        });
        return result;
    }
}
