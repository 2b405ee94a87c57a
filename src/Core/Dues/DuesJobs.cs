using EBranch.Core.Common;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Quartz;

namespace EBranch.Core.Dues;

[DisallowConcurrentExecution]
public sealed class DuesBillJob(DuesBillingService billing, TimeProvider time) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        => await billing.GenerateMonthAsync(DuesMonth.Current(time), cancellationToken);
}

[DisallowConcurrentExecution]
public sealed class DuesOrderSyncJob(DuesPaymentService payments, DuesRefundService refunds) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        await payments.SyncWaitingOrdersAsync(cancellationToken);
        await refunds.SyncAsync(cancellationToken);
    }
}

[DisallowConcurrentExecution]
public sealed class DuesOrderExpiryJob(DuesPaymentService payments) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        => await payments.CloseExpiredOrdersAsync(cancellationToken);
}

[DisallowConcurrentExecution]
public sealed class ReconciliationJob(ReconciliationService reconciliation, TimeProvider time) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        => await reconciliation.ReconcileAsync(DistrictTime.Today(time).AddDays(-1), cancellationToken);
}

[DisallowConcurrentExecution]
public sealed class DuesReminderJob(DuesReminderService reminders) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
        => await reminders.SendDueRemindersAsync(cancellationToken);
}

public static class DuesServiceCollectionExtensions
{
    public static IServiceCollection AddDues(this IServiceCollection services)
    {
        services.AddOptions<DuesOptions>().BindConfiguration(DuesOptions.Section);
        services.AddSingleton<DuesBillingService>()
            .AddSingleton<DuesPaymentService>()
            .AddSingleton<PayNotificationWriter>()
            .AddSingleton<DuesReminderService>()
            .AddScoped<DuesRefundService>()
            .AddScoped<ReconciliationService>()
            .AddScoped<DuesStandardService>()
            .AddScoped<DuesReportService>()
            .AddScoped<DuesOrderService>();
        return services;
    }

    /// <summary>The dues jobs (see <see cref="Hosting.Jobs"/>). Times are China Standard Time.</summary>
    public static void AddDuesJobs(this IQuartzBuilder quartz, IConfiguration configuration)
    {
        var interval = configuration.GetValue("Dues:JobInterval", TimeSpan.FromMinutes(1));
        quartz.ScheduleJob<DuesBillJob>(t => t.WithIdentity("dues-bills-monthly").WithCronSchedule("0 5 0 1 * ?", c => c.InTimeZone(DistrictTime.Zone)));
        quartz.ScheduleJob<DuesBillJob>(t => t.WithIdentity("dues-bills-on-start").StartAt(DateTimeOffset.UtcNow.AddSeconds(30)));
        quartz.ScheduleJob<DuesOrderSyncJob>(t => t.WithIdentity("dues-order-sync").WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever()));
        quartz.ScheduleJob<DuesOrderExpiryJob>(t => t.WithIdentity("dues-order-expiry").WithSimpleSchedule(s => s.WithInterval(interval).RepeatForever()));
        quartz.ScheduleJob<ReconciliationJob>(t => t.WithIdentity("dues-reconciliation").WithCronSchedule("0 0 10 * * ?", c => c.InTimeZone(DistrictTime.Zone)));
        quartz.ScheduleJob<DuesReminderJob>(t => t.WithIdentity("dues-reminders").WithCronSchedule("0 0 9 * * ?", c => c.InTimeZone(DistrictTime.Zone)));
    }
}
