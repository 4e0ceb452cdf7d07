using System.Diagnostics;
using System.Runtime.InteropServices;

namespace AlarmInbox.Grains.Resilience;

/// <summary>
/// The CPU time the calling thread has used so far: on 64-bit Linux <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c>
/// (POSIX.1-2008, nanosecond resolution), elsewhere, or if that call fails, the wall clock (<see cref="Stopwatch"/>).
/// </summary>
/// <remarks>
/// Time limits that guard against hostile input (a regular expression that backtracks, an HTML bomb) are meant to bound the
/// work a mail costs, not how long the machine took: on a loaded machine a thread starved of CPU or stopped by a blocking
/// garbage collection sees its wall-clock time run out while it did nothing, and a legitimate mail would lose fields. The
/// thread's CPU time does not move while it is stopped. Only differences taken on the same thread mean anything; a few
/// hundred nanoseconds per call (a system call), so callers read it when a cheaper wall-clock check says time may be up.
/// </remarks>
internal static class ThreadCpuClock
{
    private const int ClockThreadCpuTimeId = 3;
    // 64-bit Linux only: the struct below is the 64-bit timespec (32-bit ABIs differ by libc and time_t size).
    private static readonly bool Available = OperatingSystem.IsLinux() && Environment.Is64BitProcess && TryRead(out _);

    /// <summary>Whether <see cref="Now"/> is the thread's CPU time (<see langword="false"/>: it is the wall clock).</summary>
    public static bool IsThreadCpuTime => Available;

    /// <summary>The calling thread's CPU time so far, or the wall clock's reading when <see cref="IsThreadCpuTime"/> is false.</summary>
    public static TimeSpan Now() => Available && TryRead(out var cpu) ? cpu : Stopwatch.GetElapsedTime(0);

    private static bool TryRead(out TimeSpan cpu)
    {
        try
        {
            if (ClockGetTime(ClockThreadCpuTimeId, out var spec) == 0)
            {
                cpu = TimeSpan.FromTicks((spec.Seconds * TimeSpan.TicksPerSecond) + (spec.Nanoseconds / 100));
                return true;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
        }

        cpu = TimeSpan.Zero;
        return false;
    }

    /// <summary><c>struct timespec</c> of 64-bit Linux (<c>time_t</c> and <c>long</c> are 64 bits).</summary>
    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // DllImport, not LibraryImport: the struct is blittable, so no marshalling stub (and no unsafe code) is needed.
    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clockId, out TimeSpec value);
}
