/**
 * The JupyterLab side of stratum_jupyter.
 *
 * - `stratum:insert-cells`: insert the pipeline builder's generated cells into a notebook,
 *   through the notebook model, below the builder's cell (or the active cell).
 * - `stratum:new-pipeline-notebook`: a new notebook on the "Python 3 (Stratum)" kernel with a
 *   builder in its first cell (launcher card + palette entry).
 * - `stratum:edit-in-builder`: on a generated spec cell, open a builder loaded from it.
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
export const GENERATED_TAG = 'stratum-generated';
export const KERNEL_NAME = 'stratum';

const ICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <rect x="2" y="3" width="20" height="4" rx="1"/>
    <rect x="4" y="10" width="16" height="4" rx="1"/>
    <rect x="6" y="17" width="12" height="4" rx="1"/>
  </g></svg>`;

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

function isGeneratedSpecCell(tracker: INotebookTracker): boolean {
  const cell = tracker.activeCell;
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
      isVisible: () => isGeneratedSpecCell(tracker),
      execute: async () => {
        const panel = tracker.currentWidget;
        const cell = tracker.activeCell;
        if (!panel || !cell) {
          return;
        }
        const index = panel.content.activeCellIndex;
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
      rank: 0
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
