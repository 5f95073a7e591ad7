using Cxdi.Host.Cli;

using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    if (!cancellation.IsCancellationRequested)
    {
        // First Ctrl+C: cancel cleanly (finished runs and summary.json are kept); a second one ends the process.
        e.Cancel = true;
        cancellation.Cancel();
    }
};

return await Cli.RunAsync(args, Console.Out, Console.Error, cancellation.Token);
