/**
 * One running API: the workbench, its event hub and the validating
 * dispatcher, ready for a transport (IPC or WebSocket) to carry.
 */
import { createDispatcher, type Dispatch } from './dispatcher';
import { createEnginePorts } from './engine-ports';
import { EventHub } from './event-hub';
import { Workbench, type WorkbenchPorts } from './workbench';

export interface ApiRuntime {
  workbench: Workbench;
  events: EventHub;
  dispatch: Dispatch;
}

export interface ApiRuntimeOptions {
  configDir: string;
  transport: WorkbenchPorts['transport'];
  /** Replace or add ports (the shell adds native dialogs). */
  ports?: Partial<WorkbenchPorts>;
  onInternalError?: (err: unknown) => void;
}

export function createApiRuntime(options: ApiRuntimeOptions): ApiRuntime {
  const events = new EventHub();
  const workbench = new Workbench({ ...createEnginePorts(options.configDir, options.transport), ...options.ports }, events);
  const dispatch = createDispatcher(workbench.handlers, options.onInternalError);
  return { workbench, events, dispatch };
}
