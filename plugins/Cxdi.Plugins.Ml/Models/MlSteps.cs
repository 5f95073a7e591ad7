using Cxdi.Plugins.Ml.Denoising;
using Cxdi.Sdk.Data;
using Cxdi.Sdk.Execution;
using Microsoft.ML;

namespace Cxdi.Plugins.Ml.Models;

/// <summary>What the ML workflow steps share: load the model named in the options, or train one on matched simulations.</summary>
internal static class MlSteps
{
    /// <summary>Loads <see cref="TrainedModelOptions.Model"/>, or trains with <paramref name="train"/> (reporting progress) and saves it when asked.</summary>
    public static ModelFile LoadOrTrain(
        MLContext ml,
        TrainedModelOptions options,
        DiffractionData data,
        string kind,
        StepContext context,
        Func<MLContext, TrainingPlan, IProgress<(double Fraction, string Message)>?, CancellationToken, ModelFile> train)
    {
        if (options.Model.Length > 0)
        {
            return ModelFile.Load(ml, options.Model, kind);
        }

        var plan = options.Plan(data);
        var progress = new Progress(context);
        var model = train(ml, plan, progress, context.Cancellation);
        if (options.SaveModel.Length > 0)
        {
            model.Save(ml, options.SaveModel);
        }

        return model;
    }

    /// <summary>Forwards training progress to the step's progress sink synchronously.</summary>
    private sealed class Progress(StepContext context) : IProgress<(double Fraction, string Message)>
    {
        public void Report((double Fraction, string Message) value) =>
            context.Progress.Report(new ProgressReport(context.StepId, value.Message) { Fraction = value.Fraction });
    }
}
