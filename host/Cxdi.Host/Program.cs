using System.Runtime.InteropServices;
using System.Text;
using Cxdi.Host.Cli;

// Ctrl+C, SIGINT, SIGTERM (kill, a batch scheduler's time limit) and SIGHUP (the terminal closed) all cancel a run the same way:
// the runs in progress stop, finished runs are kept, summary.json is written (status "cancelled", with the finished runs),
// and cxdi exits with 130 whichever signal it was. A second signal ends the process at once.
using var cancellation = new CancellationTokenSource();
var stdout = new ConsoleWriter(Console.Out);
var stderr = new ConsoleWriter(Console.Error);

void OnSignal(PosixSignalContext context)
{
    if (context.Signal == PosixSignal.SIGHUP)
    {
        // The terminal is gone: writing to it fails (EIO) or blocks; keep the run's own results, drop the console lines.
        stdout.Detach();
        stderr.Detach();
    }

    if (!cancellation.IsCancellationRequested)
    {
        context.Cancel = true;
        var name = context.Signal switch { PosixSignal.SIGTERM => "SIGTERM", PosixSignal.SIGHUP => "SIGHUP", _ => "SIGINT (Ctrl+C)" };
        stderr.WriteLine($"cxdi: {name} received: cancelling; finished runs are kept and summary.json is written (send it again to stop at once)");
        cancellation.Cancel();
    }
}

using var interrupt = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
using var terminate = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
using var hangUp = PosixSignalRegistration.Create(PosixSignal.SIGHUP, OnSignal);

return await Cli.RunAsync(args, stdout, stderr, cancellation.Token);

/// <summary>
/// The console as the CLI writes to it: a console that cannot be written to any more (a closed terminal, a closed pipe)
/// must not stop a run before its results and summary.json are written, so write failures are dropped.
/// </summary>
file sealed class ConsoleWriter(TextWriter inner) : TextWriter
{
    private volatile bool _detached;

    public override Encoding Encoding => inner.Encoding;

    /// <summary>Drops everything written from now on.</summary>
    public void Detach() => _detached = true;

    public override void Write(char value) => Guard(() => inner.Write(value));

    public override void Write(string? value) => Guard(() => inner.Write(value));

    public override void Write(char[] buffer, int index, int count) => Guard(() => inner.Write(buffer, index, count));

    public override void WriteLine(string? value) => Guard(() => inner.WriteLine(value));

    public override void WriteLine() => Guard(inner.WriteLine);

    public override void Flush() => Guard(inner.Flush);

    private void Guard(Action write)
    {
        if (_detached)
        {
            return;
        }

        try
        {
            write();
        }
        catch (IOException)
        {
            _detached = true;
        }
    }
}
