import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { statfs } from 'node:fs/promises';
import * as os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { AppConfig } from '../platform/config/app-config';

export interface ResourceReading {
  cpuPercent: number;
  memoryPercent: number;
  rssBytes: number;
  eventLoopLagMs: number;
  diskUsedPercent: number | null;
  loadAverage: number;
}

export interface ResourceHealth {
  status: 'healthy' | 'degraded';
  issues: string[];
  cpuPercent: number;
  memoryPercent: number;
  eventLoopLagMs: number;
  diskUsedPercent: number | null;
}

/** Thresholds above which resource health reports an issue. */
export const RESOURCE_LIMITS = {
  cpuPercent: 90,
  memoryPercent: 90,
  eventLoopLagMs: 200,
  diskUsedPercent: 95,
};

function round(value: number): number {
  return Math.round(value * 100) / 100;
}

/**
 * Measures the process over its own window: CPU share since its previous reading (of all cores, like
 * `top` divided by the core count), memory, mean event-loop lag, disk use of the data folder.
 */
class ResourceMeter {
  private readonly loopDelay = monitorEventLoopDelay({ resolution: 20 });
  private lastCpu = process.cpuUsage();
  private lastTime = process.hrtime.bigint();

  constructor(private readonly diskPath: string) {
    this.loopDelay.enable();
  }

  stop(): void {
    this.loopDelay.disable();
  }

  async read(): Promise<ResourceReading> {
    const now = process.hrtime.bigint();
    const cpu = process.cpuUsage(this.lastCpu);
    const elapsedMicros = Number(now - this.lastTime) / 1000;
    this.lastCpu = process.cpuUsage();
    this.lastTime = now;
    const cores = os.availableParallelism();
    const cpuPercent = elapsedMicros > 0 ? ((cpu.user + cpu.system) / elapsedMicros / cores) * 100 : 0;
    const rssBytes = process.memoryUsage.rss();
    const lagMs = Number.isFinite(this.loopDelay.mean) ? this.loopDelay.mean / 1e6 : 0;
    this.loopDelay.reset();
    return {
      cpuPercent: round(Math.min(100, cpuPercent)),
      memoryPercent: round((rssBytes / os.totalmem()) * 100),
      rssBytes,
      eventLoopLagMs: round(lagMs),
      diskUsedPercent: await this.diskUsedPercent(),
      loadAverage: round(os.loadavg()[0]),
    };
  }

  private async diskUsedPercent(): Promise<number | null> {
    try {
      const stats = await statfs(this.diskPath).catch(() => statfs(process.cwd()));
      if (stats.blocks === 0) return null;
      return round(((stats.blocks - stats.bavail) / stats.blocks) * 100);
    } catch {
      return null;
    }
  }
}

/** Resource readings for the health endpoint and for the stored samples, each over its own window. */
@Injectable()
export class ResourceMonitor implements OnModuleDestroy {
  private readonly healthMeter: ResourceMeter;
  private readonly sampleMeter: ResourceMeter;

  constructor(config: AppConfig) {
    this.healthMeter = new ResourceMeter(config.dataDir);
    this.sampleMeter = new ResourceMeter(config.dataDir);
  }

  onModuleDestroy(): void {
    this.healthMeter.stop();
    this.sampleMeter.stop();
  }

  /** Since the previous health check. */
  readForHealth(): Promise<ResourceReading> {
    return this.healthMeter.read();
  }

  /** Since the previous stored sample. */
  readForSample(): Promise<ResourceReading> {
    return this.sampleMeter.read();
  }

  health(reading: ResourceReading): ResourceHealth {
    const issues: string[] = [];
    if (reading.cpuPercent > RESOURCE_LIMITS.cpuPercent) issues.push(`CPU at ${reading.cpuPercent}%`);
    if (reading.memoryPercent > RESOURCE_LIMITS.memoryPercent)
      issues.push(`memory at ${reading.memoryPercent}%`);
    if (reading.eventLoopLagMs > RESOURCE_LIMITS.eventLoopLagMs)
      issues.push(`event loop lag ${reading.eventLoopLagMs} ms`);
    if (reading.diskUsedPercent !== null && reading.diskUsedPercent > RESOURCE_LIMITS.diskUsedPercent) {
      issues.push(`disk at ${reading.diskUsedPercent}%`);
    }
    return {
      status: issues.length === 0 ? 'healthy' : 'degraded',
      issues,
      cpuPercent: reading.cpuPercent,
      memoryPercent: reading.memoryPercent,
      eventLoopLagMs: reading.eventLoopLagMs,
      diskUsedPercent: reading.diskUsedPercent,
    };
  }
}
