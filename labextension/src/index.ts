/**
 * The JupyterLab side of stratum_jupyter.
 *
 * - `stratum:insert-cells`: insert the pipeline builder's generated cells into a notebook,
 *   through the notebook model, below the builder's cell (or the active cell).
 * - `stratum:new-pipeline-notebook`: a new notebook on the "Python 3 (Stratum)" kernel with a
 *   builder in its first cell (launcher card + palette entry).
 * - `stratum:edit-in-builder`: on a generated spec cell (the one under the pointer when
 *   chosen from the right-click menu, else the active one), open a builder loaded from it.
 * - the builder's state: the widget hands what the student built to this plugin with a
 *   bubbling, cancelable DOM event `stratum:builder-state`; it is kept in the metadata of
 *   the widget's cell (key `stratum_builder`) and handed back when a builder is displayed
 *   there again (Run All, a kernel restart, a reopened notebook).
 *
 * The builder widget (an anywidget in the kernel's output) asks for cells with a bubbling,
 * cancelable DOM event `stratum:insert-cells`; this plugin handles it and cancels it, which is
 * how the widget knows the cells went in (otherwise it shows its fallback).
 */
import {
  JupyterFrontEnd,
  JupyterFrontEndPlugin
} from '@jupyterlab/application';
import { ICommandPalette } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import * as nbformat from '@jupyterlab/nbformat';
import {
  INotebookTracker,
  Notebook,
  NotebookActions,
  NotebookPanel
} from '@jupyterlab/notebook';
import { LabIcon } from '@jupyterlab/ui-components';

export const CommandIDs = {
  insertCells: 'stratum:insert-cells',
  newPipelineNotebook: 'stratum:new-pipeline-notebook',
  editInBuilder: 'stratum:edit-in-builder'
} as const;

/** The DOM event the builder widget dispatches (bubbling, cancelable). */
export const INSERT_EVENT = 'stratum:insert-cells';
/** The builder's state event and the cell metadata key it is kept under. */
export const STATE_EVENT = 'stratum:builder-state';
export const STATE_KEY = 'stratum_builder';
export const GENERATED_TAG = 'stratum-generated';
export const KERNEL_NAME = 'stratum';

const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <rect x="2" y="3" width="20" height="4" rx="1"/>
    <rect x="4" y="10" width="16" height="4" rx="1"/>
    <rect x="6" y="17" width="12" height="4" rx="1"/>
  </g></svg>`;

/** A notebook cell widget (the type of @jupyterlab/cells, without depending on it). */
type Cell = Notebook['widgets'][number];

export const stratumIcon = new LabIcon({
  name: 'stratum-jupyter:pipeline',
  svgstr: ICON_SVG
});

/** A cell as the builder sends it (an nbformat code cell, outputs optional). */
export interface IGeneratedCell {
  cell_type?: string;
  source: string | string[];
  metadata?: Record<string, unknown>;
}

export interface IInsertDetail {
  cells: IGeneratedCell[];
  /** Set by this plugin: how many cells went in, and where. */
  handled?: boolean;
  inserted?: number;
  index?: number;
  error?: string;
}

export interface IStateDetail {
  action: 'load' | 'save';
  /** The builder's position among the builders of its cell. */
  slot: number;
  state: Record<string, unknown> | null;
  handled?: boolean;
}

interface IKeptStates {
  version: number;
  builders: (Record<string, unknown> | null)[];
}

/** Read or write a builder's state in the metadata of the cell it is displayed in. */
export function keepState(cell: Cell, detail: IStateDetail): void {
  const kept = (cell.model.getMetadata(STATE_KEY) as IKeptStates | undefined) ?? {
    version: 1,
    builders: []
  };
  const slot = Math.max(0, detail.slot | 0);
  if (detail.action === 'load') {
    detail.state = (kept.builders ?? [])[slot] ?? null;
    return;
  }
  const builders = [...(kept.builders ?? [])];
  while (builders.length < slot) {
    builders.push(null);
  }
  builders[slot] = detail.state;
  if (JSON.stringify(kept.builders?.[slot]) !== JSON.stringify(detail.state)) {
    cell.model.setMetadata(STATE_KEY, { version: 1, builders });
  }
}

const BUILDER_SOURCE = (task: string, preload: boolean): string =>
  (preload ? '%load_ext stratum_jupyter\n' : '') +
  'from stratum_jupyter import PipelineBuilder\n\n' +
  `builder = PipelineBuilder(task=${JSON.stringify(task)})\n` +
  'builder';

function toSharedCells(cells: IGeneratedCell[]): nbformat.ICodeCell[] {
  return cells.map(cell => ({
    cell_type: 'code',
    source: Array.isArray(cell.source) ? cell.source.join('') : String(cell.source),
    metadata: (cell.metadata ?? {}) as nbformat.ICodeCellMetadata,
    outputs: [],
    execution_count: null
  }));
}

/** Insert cells after position `after` (-1: at the top) of a notebook; returns the count. */
export function insertCells(
  panel: NotebookPanel,
  after: number,
  cells: IGeneratedCell[]
): number {
  const model = panel.content.model;
  if (!model) {
    throw new Error('the notebook has no model yet');
  }
  if (!Array.isArray(cells) || cells.length === 0) {
    return 0;
  }
  model.sharedModel.insertCells(after + 1, toSharedCells(cells));
  return cells.length;
}

function panelOf(
  tracker: INotebookTracker,
  node: Node
): { panel: NotebookPanel; index: number } | null {
  let found: { panel: NotebookPanel; index: number } | null = null;
  tracker.forEach(panel => {
    if (!found && panel.node.contains(node)) {
      const index = panel.content.widgets.findIndex(cell =>
        cell.node.contains(node)
      );
      found = { panel, index };
    }
  });
  return found;
}

/** The notebook and cell a command acts on: from the right-click menu the cell under the
 * pointer (selected or not), else the active cell. */
function targetCell(
  app: JupyterFrontEnd,
  tracker: INotebookTracker,
  fromMenu: boolean
): { panel: NotebookPanel; cell: Cell; index: number } | null {
  if (fromMenu) {
    const node = app.contextMenuHitTest(n => n.classList.contains('jp-Cell'));
    const where = node ? panelOf(tracker, node) : null;
    if (where && where.index >= 0) {
      const cell = where.panel.content.widgets[where.index];
      return { panel: where.panel, cell, index: where.index };
    }
    return null;
  }
  const panel = tracker.currentWidget;
  const cell = tracker.activeCell;
  if (!panel || !cell) {
    return null;
  }
  return { panel, cell, index: panel.content.activeCellIndex };
}

function isGeneratedSpecCell(cell: Cell | null | undefined): boolean {
  if (!cell || cell.model.type !== 'code') {
    return false;
  }
  const tags = (cell.model.getMetadata('tags') as string[] | undefined) ?? [];
  const meta = cell.model.getMetadata('stratum') as { role?: string } | undefined;
  const source = cell.model.sharedModel.getSource();
  return (
    (tags.includes(GENERATED_TAG) && meta?.role === 'spec') ||
    /\bload_spec\s*\(/.test(source)
  );
}

const plugin: JupyterFrontEndPlugin<void> = {
  id: 'stratum-jupyter:plugin',
  description:
    'Pipeline builder support: inserts generated cells, creates pipeline notebooks.',
  autoStart: true,
  requires: [INotebookTracker],
  optional: [ICommandPalette, ILauncher],
  activate: (
    app: JupyterFrontEnd,
    tracker: INotebookTracker,
    palette: ICommandPalette | null,
    launcher: ILauncher | null
  ) => {
    const { commands } = app;

    commands.addCommand(CommandIDs.insertCells, {
      label: 'Insert Stratum Generated Cells',
      caption: 'Insert code cells (given as the "cells" argument) below the active cell',
      execute: args => {
        const panel = tracker.currentWidget;
        if (!panel) {
          throw new Error(`${CommandIDs.insertCells}: no notebook is open`);
        }
        const cells = (args.cells ?? []) as unknown as IGeneratedCell[];
        const after =
          typeof args.index === 'number'
            ? (args.index as number)
            : panel.content.activeCellIndex;
        return insertCells(panel, after, cells);
      }
    });

    // The builder widget's request, from inside a cell's output.
    document.body.addEventListener(INSERT_EVENT, (event: Event) => {
      const custom = event as CustomEvent<IInsertDetail>;
      const target = custom.target as Node | null;
      const detail = custom.detail;
      if (!target || !detail) {
        return;
      }
      const where = panelOf(tracker, target);
      if (!where) {
        return; // not in a notebook we track: let the widget fall back
      }
      try {
        const after =
          where.index >= 0 ? where.index : where.panel.content.activeCellIndex;
        detail.inserted = insertCells(where.panel, after, detail.cells);
        detail.index = after + 1;
        detail.handled = true;
        event.preventDefault();
      } catch (err) {
        detail.error = String(err);
        console.error('stratum-jupyter: could not insert cells', err);
      }
    });

    // The builder's state, kept in its cell's metadata.
    document.body.addEventListener(STATE_EVENT, (event: Event) => {
      const custom = event as CustomEvent<IStateDetail>;
      const target = custom.target as Node | null;
      const detail = custom.detail;
      if (!target || !detail) {
        return;
      }
      const where = panelOf(tracker, target);
      if (!where || where.index < 0) {
        return; // not in a notebook cell we track: nothing is kept
      }
      try {
        keepState(where.panel.content.widgets[where.index], detail);
        detail.handled = true;
        event.preventDefault();
      } catch (err) {
        console.error('stratum-jupyter: could not keep the builder state', err);
      }
    });

    commands.addCommand(CommandIDs.newPipelineNotebook, {
      label: args =>
        args.isPalette ? 'New Pipeline Notebook (Stratum)' : 'Pipeline Notebook',
      caption: 'A new notebook on the Python 3 (Stratum) kernel with a pipeline builder',
      icon: args => (args.isPalette ? undefined : stratumIcon),
      execute: async args => {
        const task = (args.task as string) || 'classification';
        const cwd = (args.cwd as string) ?? ''; // the launcher passes its folder
        const specs = app.serviceManager.kernelspecs.specs;
        const hasKernel = !!specs?.kernelspecs?.[KERNEL_NAME];
        const panel = (await commands.execute('notebook:create-new', {
          cwd,
          kernelName: hasKernel ? KERNEL_NAME : specs?.default ?? undefined
        })) as NotebookPanel;
        await panel.context.ready;
        const model = panel.content.model!;
        const source = BUILDER_SOURCE(task, !hasKernel);
        if (model.cells.length > 0) {
          model.cells.get(0).sharedModel.setSource(source);
        } else {
          model.sharedModel.insertCells(0, toSharedCells([{ source }]));
        }
        panel.content.activeCellIndex = 0;
        await panel.sessionContext.ready;
        await NotebookActions.run(panel.content, panel.sessionContext);
        return panel;
      }
    });

    commands.addCommand(CommandIDs.editInBuilder, {
      label: 'Edit in Pipeline Builder',
      caption: 'Open a pipeline builder loaded from this spec cell, below it',
      isVisible: args =>
        isGeneratedSpecCell(targetCell(app, tracker, !!args.fromMenu)?.cell),
      execute: async args => {
        const target = targetCell(app, tracker, !!args.fromMenu);
        if (!target || !isGeneratedSpecCell(target.cell)) {
          return;
        }
        const { panel, cell, index } = target;
        const source = cell.model.sharedModel.getSource();
        const code =
          'from stratum_jupyter import PipelineBuilder\n\n' +
          `PipelineBuilder.from_cell(${JSON.stringify(source)})`;
        insertCells(panel, index, [{ source: code }]);
        panel.content.activeCellIndex = index + 1;
        await NotebookActions.run(panel.content, panel.sessionContext);
      }
    });

    app.contextMenu.addItem({
      command: CommandIDs.editInBuilder,
      selector: '.jp-Notebook .jp-CodeCell',
      rank: 0,
      args: { fromMenu: true }
    });

    if (palette) {
      palette.addItem({
        command: CommandIDs.newPipelineNotebook,
        category: 'Stratum',
        args: { isPalette: true }
      });
      palette.addItem({ command: CommandIDs.editInBuilder, category: 'Stratum' });
    }
    if (launcher) {
      launcher.add({
        command: CommandIDs.newPipelineNotebook,
        category: 'Notebook',
        rank: 100
      });
    }
  }
};

export default plugin;
