namespace Cxdi.Plugins.Phasing.Compute;

/// <summary>A piece of work split into numbered chunks that can run in any order on any thread.</summary>
internal interface IChunkJob
{
    /// <summary>Runs chunk <paramref name="chunk"/>.</summary>
    void Execute(int chunk);
}

/// <summary>
/// A fixed team of worker threads that run the chunks of one job at a time together with the calling thread. Unlike
/// Parallel.For it allocates nothing per call, so the phasing loop stays allocation-free.
/// </summary>
internal sealed class WorkerTeam : IDisposable
{
    private readonly Thread[] workers;
    private readonly object gate = new();
    private IChunkJob? job;
    private int chunkCount;
    private int nextChunk;
    private int active;
    private long generation;
    private bool stopping;
    private Exception? failure;

    /// <summary>Creates a team that uses <paramref name="threads"/> threads in all (the caller plus threads − 1 workers).</summary>
    public WorkerTeam(int threads)
    {
        Threads = Math.Max(1, threads);
        workers = new Thread[Threads - 1];
        for (var i = 0; i < workers.Length; i++)
        {
            workers[i] = new Thread(WorkerLoop) { IsBackground = true, Name = $"cxdi-cpu-{i + 1}" };
            workers[i].Start();
        }
    }

    /// <summary>Threads in the team, the caller included.</summary>
    public int Threads { get; }

    /// <summary>Runs chunks 0 … <paramref name="chunks"/> − 1 of <paramref name="work"/> and returns when all are done.</summary>
    public void Run(IChunkJob work, int chunks)
    {
        if (workers.Length == 0 || chunks <= 1)
        {
            for (var c = 0; c < chunks; c++)
            {
                work.Execute(c);
            }

            return;
        }

        lock (gate)
        {
            job = work;
            chunkCount = chunks;
            nextChunk = 0;
            active = workers.Length;
            failure = null;
            generation++;
            Monitor.PulseAll(gate);
        }

        Exception? mine = null;
        try
        {
            Work(work);
        }
        catch (Exception e)
        {
            mine = e;
        }

        lock (gate)
        {
            while (active > 0)
            {
                Monitor.Wait(gate);
            }

            job = null;
        }

        if ((mine ?? failure) is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <inheritdoc />
    public void Dispose()
    {
        lock (gate)
        {
            stopping = true;
            Monitor.PulseAll(gate);
        }
    }

    private void Work(IChunkJob work)
    {
        int c;
        while ((c = Interlocked.Increment(ref nextChunk) - 1) < chunkCount)
        {
            work.Execute(c);
        }
    }

    private void WorkerLoop()
    {
        long seen = 0;
        while (true)
        {
            IChunkJob? work;
            lock (gate)
            {
                while (generation == seen && !stopping)
                {
                    Monitor.Wait(gate);
                }

                if (stopping)
                {
                    return;
                }

                seen = generation;
                work = job;
            }

            try
            {
                if (work is not null)
                {
                    Work(work);
                }
            }
            catch (Exception e)
            {
                failure = e;
            }

            lock (gate)
            {
                if (--active == 0)
                {
                    Monitor.PulseAll(gate);
                }
            }
        }
    }
}
