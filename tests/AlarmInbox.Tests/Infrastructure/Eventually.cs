namespace AlarmInbox.Tests.Infrastructure;

/// <summary>Waits for a condition instead of sleeping for a fixed time.</summary>
public static class Eventually
{
    /// <summary>Evaluates <paramref name="condition"/> every 100 ms until it holds; fails with <paramref name="what"/> after <paramref name="timeout"/>.</summary>
    public static async Task<T> WaitForAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string what)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:0.#} s waiting for: {what}. Last value: {value}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}
